"""Matchmaking: buyer–producer sessions, participants' wishes, agendas and outcomes.

- engine/: the pure solver and scoring (no Flask, no database): instance in, schedule out;
- sessions/: the organiser's sessions: settings, capacity check, running, hand edits, publishing;
- participation/: participants' availability, must / don't-match marks and meeting requests;
- agenda/: a participant's agenda, its calendar (.ics, feed) and the mails that carry it;
- outcomes/: what came of each meeting;
- models.py (the tables), jobs.py (no-shows and reminders), blueprint.py (the pages' blueprint).

Check-in at the tables lives in app.onsite. This package imports nothing, so importing it is cheap.
"""
