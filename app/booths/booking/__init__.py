"""Booking: booth requests, first-come picks, the one-click allocation, hand edits, the command."""
