"""The offline check-in app (a progressive web app) for the event's check-in staff."""
