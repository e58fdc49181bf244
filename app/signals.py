"""Signals between modules (blinker, as Flask and Indico use them).

The module that acts sends; the modules that react subscribe in their own code (connected
when the app is built), so the acting module never imports them. Receivers run inside the
sender's transaction: they flush, never commit, and a ServiceError they raise undoes it all.

Each signal is sent with the changed object as sender and the keyword arguments listed.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: An organisation registered for an event, pending or waitlisted (sender: the Registration, flushed).
registration_created = _signals.signal("registration-created")
#: A registration was approved (sender: the Registration).
registration_approved = _signals.signal("registration-approved")
#: A participant withdrew its registration (sender: the Registration).
registration_withdrawn = _signals.signal("registration-withdrawn")
#: An organiser rejected a registration (sender: the Registration, its reason set).
registration_rejected = _signals.signal("registration-rejected")

#: An event was cloned for next year (sender: the new Event, flushed, with its halls; source: the
#: Event copied; days: the timedelta of whole days its dates moved by, at the same local times;
#: halls: {source hall id: new hall id}). Each module copies its own settings, never its people.
event_cloned = _signals.signal("event-cloned")

#: A matchmaking session's meetings were published (sender: the MatchingSession; people: registration ids;
#: update: True when a repair published new meetings in a session published before).
meetings_published = _signals.signal("meetings-published")
#: A published meeting moved to another slot or table (sender: the Meeting).
meeting_moved = _signals.signal("meeting-moved")
#: A published meeting was cancelled or removed (sender: the Meeting).
meeting_cancelled = _signals.signal("meeting-cancelled")

#: A booth was assigned to an exhibitor (sender: the BoothAssignment, flushed; how: "allocated" by the
#: organiser's allocation, "picked" first-come by the exhibitor, "moved" or "swapped" by an organiser).
booth_assigned = _signals.signal("booth-assigned")
#: A published meeting was checked in, once (sender: the Meeting, status "held").
meeting_checked_in = _signals.signal("meeting-checked-in")
#: One side recorded (or corrected) what came of a meeting (sender: the MeetingOutcome, flushed;
#: meeting: the Meeting).
outcome_recorded = _signals.signal("outcome-recorded")

#: Mail for one account from a module the outbox sits above (accounts): the sender wrote it in
#: the account's language, app.notifications queues it in the same transaction (sender: the User;
#: subject, body, kind).
account_mail = _signals.signal("account-mail")

#: The scheduler started in this process (sender: the Flask app); sent inside an app context.
scheduler_started = _signals.signal("scheduler-started")

#: A task-queue worker is starting, before it forks the processes that run the jobs (sender:
#: the Flask app): what every job process needs once, loaded here, is shared by all of them.
worker_starting = _signals.signal("worker-starting")

#: Something security-relevant happened to an account (sender: the User, or None for a failed
#: login with an unknown e-mail; kind: one of app.accounts.models.SECURITY_EVENT_KINDS; actor: the
#: User who did it when not the account itself, else None; detail: a short text, may be ""; email:
#: optional, the e-mail concerned when there is no User). app.accounts stores it in security_events,
#: with the request's client address, in the sender's transaction.
security_event = _signals.signal("security-event")

#: An organiser (or admin, or check-in host) acted; app.eventlog records it in the sender's
#: transaction (sender: the acting User, or None for the system; event_id: the event's id, or None
#: for an action outside any event; action: a short code of app.eventlog.services.ACTIONS; subject:
#: plain text naming what was acted on; changes: {field: [before, after]} or {field: value}).
organiser_action = _signals.signal("organiser-action")
