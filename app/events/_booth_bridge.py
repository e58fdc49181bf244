"""TEMPORARY: booths' reactions to registrations, connected from events until the merge.

Removed at merge: booths subscribes itself (its own receivers on app.signals). Until then this
keeps what registrations used to call directly: an approved exhibitor gets its electronic
booth, an exhibitor that withdraws or is rejected gives its booth back. This is the only
file in app/events that may import booths.
"""

from __future__ import annotations

from app import signals


@signals.registration_approved.connect
def _open_electronic_booth(registration, **_kwargs) -> None:
    """Every approved exhibitor gets its electronic booth (unpublished until it publishes it)."""
    if registration.role == "exhibitor":
        from app.booths.ebooths import ensure_electronic_booth

        ensure_electronic_booth(registration)


@signals.registration_withdrawn.connect
@signals.registration_rejected.connect
def _release_booth(registration, **_kwargs) -> None:
    """An exhibitor that leaves the event gives its booth back."""
    if registration.role == "exhibitor":
        from app.booths.booking import release_for

        release_for(registration)
