"""The app's clock: every "now" and "today" comes from here, never from the server's own zone.

Times are stored in UTC; dates that people read (a certificate's expiry, "today" on a page)
are Vietnam's. Tests pin this clock (time-machine patches what these functions read), so no
test depends on the hour it runs at.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """The current instant, as an aware UTC datetime."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Vietnam (from 17:00 UTC it is already tomorrow there)."""
    return datetime.now(VIETNAM).date()
