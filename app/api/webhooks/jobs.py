"""The webhooks' standing job: every minute the clock puts the sender on the `mail` queue.

Each action already enqueues the sender after its commit; this job sends the retries when
their back-off is over, and whatever an unreachable queue left behind.
"""

from __future__ import annotations

from app.tasks.queue import ENQUEUE_CALL

SEND_JOB_ID = "webhooks-send"
SEND_DUE = "app.api.webhooks.services:send_due"


def register_jobs(scheduler) -> None:
    scheduler.add_job(
        ENQUEUE_CALL,
        args=(SEND_DUE,),
        kwargs={"queue": "mail", "expires": 60},
        trigger="interval",
        minutes=1,
        id=SEND_JOB_ID,
        name="send due webhooks",
        replace_existing=True,
    )
