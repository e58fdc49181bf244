"""The event log: every organiser action on an event, who did it, when and what changed."""
