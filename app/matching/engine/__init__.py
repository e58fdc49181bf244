"""The pure matching engine: instance → schedule (specs/matching-format.md).

Every module in this folder imports neither Flask nor the database nor any app module outside
it (tests/matching/test_purity.py checks), so it can be tested, benchmarked and run from the
command line alone. The app builds instances from the database in app.matching.sessions.
"""

from app.matching.engine.instance import InstanceError, read_instance
from app.matching.engine.solver import solve

__all__ = ["InstanceError", "read_instance", "solve"]
