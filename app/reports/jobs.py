"""The reports' clock job: the organisers' summary mail every morning (services.register_jobs)."""

from __future__ import annotations

from app.reports.services import register_jobs

__all__ = ["register_jobs"]
