"""Shared test fixtures: where the public conformance data lives, a fixed clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings


# Property tests are judged on what they find, never on how long they take.
settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

FIXED_NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def shared_data_dir() -> Path | None:
    """``../shared/data`` beside the checkout, or ``$VAXPASS_SHARED/data``; None if absent."""
    env = os.environ.get("VAXPASS_SHARED")
    root = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    data = root / "data"
    return data if data.is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    data = shared_data_dir()
    if data is None:
        pytest.skip("the shared conformance data (../shared/data) is not beside this checkout")
    return data


@pytest.fixture
def now() -> datetime:
    return FIXED_NOW
