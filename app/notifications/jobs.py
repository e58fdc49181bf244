"""The outbox's standing job: send what is due every minute (app/notifications/services.py)."""

from __future__ import annotations

OUTBOX_JOB_ID = "outbox-send"


def register_jobs(scheduler) -> None:
    # The sender commits per message itself, so a mail sent is never sent twice.
    scheduler.add_job(
        "app.notifications.services:send_outbox",
        trigger="interval",
        minutes=1,
        id=OUTBOX_JOB_ID,
        name="send queued mail",
        replace_existing=True,
    )
