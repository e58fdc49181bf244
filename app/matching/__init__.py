"""Matchmaking: candidate pairs, the pure solver, and (later) meetings and agendas.

The solver core (`solve`, `read_instance`, `check_schedule`) is pure: it
imports neither Flask nor the database.
"""

from app.matching.instance import InstanceError, read_instance
from app.matching.solver import solve

__all__ = ["InstanceError", "read_instance", "solve"]
