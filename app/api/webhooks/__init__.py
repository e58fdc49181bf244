"""Webhooks: an event's organisers subscribe URLs to typed events; each is POSTed, signed.

models.py (subscriptions, deliveries written in the action's transaction, attempts),
services.py (URL checks, receivers of app.signals, signing, sending with back-off, pausing),
forms.py, routes.py (/manage/events/<id>/webhooks), jobs.py (the standing send job).
Nothing in the app imports this package; it only listens to signals.
"""
