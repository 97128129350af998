"""vaxpass-core: Viet Nam's vaccine passport and the EU Digital COVID Certificate."""

from __future__ import annotations

from .errors import Code, VaxpassError


__all__ = ["Code", "VaxpassError"]
