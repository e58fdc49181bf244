"""The follow-up survey's clock job: invitations and reminders every morning (services.register_jobs)."""

from __future__ import annotations

from app.followup.services import register_jobs

__all__ = ["register_jobs"]
