"""The demo's background job: an administrator loads the demo data from the admin pages.

`flask demo load` loads it directly (it is a command); the page enqueues `demo.load`, which
a worker runs here in one transaction, reporting each part as it goes.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.tasks.errors import job_gone
from app.tasks.runner import Outcome, background_job
from app.urls import site_path


@background_job("demo.load", queue="heavy")
def load_demo_job(actor, progress, *, seed: int) -> Outcome:
    """Load the demo data once; a demo loaded meanwhile (by the command, say) is not loaded again."""
    from app.demo import services as demo  # its data tables are read on import

    demo.ensure_admin(actor if actor is not None and actor.is_active else None)
    if demo.demo_is_loaded():
        raise job_gone(_l("The demo data was loaded meanwhile."))
    summary = demo.load_demo(seed)
    return Outcome(
        gettext(
            "The demo data is loaded: %(producers)d producers, %(products)d products, %(buyers)d buyers "
            "and the fair “%(fair)s”.",
            producers=summary.producers,
            products=summary.products,
            buyers=summary.buyers,
            fair=summary.event.name,
        ),
        url=site_path("events_public.event_page", slug=summary.event.slug),
    )
