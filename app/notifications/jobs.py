"""The outbox's standing job: send what is due every minute (app/notifications/services.py).

The clock only puts "send_outbox()" on the `mail` queue, so heavy work never holds up mail;
a worker sends. If the queue can't be reached, the next minute's run tries again.
"""

from __future__ import annotations

from app.tasks.queue import ENQUEUE_CALL

OUTBOX_JOB_ID = "outbox-send"
SEND_OUTBOX = "app.notifications.services:send_outbox"


def register_jobs(scheduler) -> None:
    # The sender commits per message itself, so a mail sent is never sent twice. A message
    # not taken within a minute is dropped: the next minute's one sends the same mail.
    # (This job also wakes the clock every minute, so it reads jobs other processes wrote.)
    scheduler.add_job(
        ENQUEUE_CALL,
        args=(SEND_OUTBOX,),
        kwargs={"queue": "mail", "expires": 60},
        trigger="interval",
        minutes=1,
        id=OUTBOX_JOB_ID,
        name="send queued mail",
        replace_existing=True,
    )
