"""What starting a job can refuse, in the person's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.errors import ServiceError


class QueueUnavailable(ServiceError):
    def __init__(self):
        super().__init__(
            _l("The job queue can't be reached right now, so nothing was started. Try again in a minute.")
        )


class AlreadyRunning(ServiceError):
    """A job on the same thing is queued or running; `task` is that job."""

    category = "info"

    def __init__(self, task):
        super().__init__(_l("This is already running: the progress is shown below."))
        self.task = task


def job_gone(reason) -> ServiceError:
    """A job whose input changed while it waited: say what changed, and that nothing was written."""
    from flask_babel import gettext

    return ServiceError(gettext("%(reason)s Nothing was changed.", reason=str(reason)))
