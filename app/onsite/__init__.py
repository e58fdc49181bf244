"""On site at the event: meeting check-in at the tables (later the check-in app and badges)."""
