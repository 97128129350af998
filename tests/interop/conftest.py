"""The interop peers: python-cwt and pycose, in their own environment, over a pipe.

They pin ``cbor2<6``, so they live in ``.venv-peers`` and run ``tests/peers/cose_peer.py`` as a
subprocess; the two sides share only bytes (hex in JSON lines). The peer interpreter is
``$VAXPASS_PEERS_PYTHON``, else ``.venv-peers/bin/python`` at the repository root
(``make peers`` builds it). The ``peer`` fixture says when the peers are skipped and when
their absence fails.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest


if TYPE_CHECKING:
    from collections.abc import Iterator


ROOT = Path(__file__).resolve().parents[2]
PEER_SCRIPT = ROOT / "tests" / "peers" / "cose_peer.py"


def peer_python() -> Path | None:
    env = os.environ.get("VAXPASS_PEERS_PYTHON")
    candidates = [Path(env)] if env else []
    candidates.append(ROOT / ".venv-peers" / "bin" / "python")
    return next((p for p in candidates if p.is_file() and os.access(p, os.X_OK)), None)


class Peer:
    """One long-lived peer process: a JSON request in, a JSON answer out, per line."""

    def __init__(self, python: Path) -> None:
        self.proc = subprocess.Popen(
            [str(python), str(PEER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, **request: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return answer

    def close(self) -> None:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


@pytest.fixture(scope="session")
def peer() -> Iterator[Peer]:
    """The peer process, with python-cwt and pycose importable.

    ``make test`` names the interpreter in ``$VAXPASS_PEERS_PYTHON``: then an interpreter that
    is missing or lacks the peers fails the interop tests, so the proof cannot quietly go
    away. Run without it (plain ``pytest`` before ``make peers``), they are skipped, saying
    how to get the peers.
    """
    configured = bool(os.environ.get("VAXPASS_PEERS_PYTHON"))
    unavailable = pytest.fail if configured else pytest.skip
    python = peer_python()
    if python is None:
        unavailable(
            "no peer interpreter: set VAXPASS_PEERS_PYTHON or run `make peers` "
            "(python-cwt and pycose need cbor2<6, so they live in .venv-peers)"
        )
    check = subprocess.run(
        [str(python), "-c", "import cwt, pycose"], capture_output=True, check=False
    )
    if check.returncode != 0:
        unavailable(f"{python} lacks python-cwt or pycose: {check.stderr.decode()[-200:]}")
    process = Peer(python)
    yield process
    process.close()
