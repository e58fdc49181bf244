"""Organisers' matchmaking sessions: settings, capacity check, running the matcher, hand edits,
publication and repair; and `flask matching` on the command line."""
