"""The pure matching engine: instance → schedule (specs/matching-format.md).

Every module in this folder imports neither Flask nor the database nor any app module outside
it (tests/matching/test_purity.py checks), so it can be tested, benchmarked and run from the
command line alone. The app builds instances from the database in app.matching.sessions.

Its names are loaded on first use (PEP 562): the app imports light modules of this package
(slots, scoring) every time it starts, and the solver brings numpy and scipy with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.matching.engine.instance import InstanceError, read_instance
    from app.matching.engine.solver import solve

__all__ = ["InstanceError", "read_instance", "solve"]
_HOME = {
    "InstanceError": "app.matching.engine.instance",
    "read_instance": "app.matching.engine.instance",
    "solve": "app.matching.engine.solver",
}


def __getattr__(name: str):
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
