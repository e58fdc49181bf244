"""The reports' jobs: the organisers' summary mail every morning (services.register_jobs), and
the exports' background job and hourly cleanup of their files (exports/jobs.py)."""

from __future__ import annotations

from app.reports import services as summary
from app.reports.exports import jobs as exports_jobs


def register_jobs(scheduler) -> None:
    summary.register_jobs(scheduler)
    exports_jobs.register_jobs(scheduler)
