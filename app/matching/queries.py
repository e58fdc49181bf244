"""Query options the matching pages, outcomes and on-site check-in share."""

from __future__ import annotations

from sqlalchemy.orm import contains_eager, joinedload, lazyload

from app.events.models import Registration
from app.matching.models import Meeting


def with_session_and_sides() -> tuple:
    """Options for a query of meetings joined to their session: the session, both sides and their
    organisations in the same statement (their products and demand left unloaded)."""
    return (
        contains_eager(Meeting.session),
        *(
            joinedload(side).options(
                joinedload(Registration.organisation),
                lazyload(Registration.product_rows),
                lazyload(Registration.demand_rows),
            )
            for side in (Meeting.buyer, Meeting.producer)
        ),
    )
