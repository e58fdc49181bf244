"""What came of each meeting, as both sides recorded it, and the event's totals."""
