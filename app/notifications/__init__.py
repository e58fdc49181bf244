"""Notifications: an outbox of mail, sent through SMTP (or written to the log) with retries."""
