"""Public event pages and the programme feed."""
