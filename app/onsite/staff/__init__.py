"""Check-in staff: accounts an event's organisers let use the check-in app for that event."""
