"""Matchmaking sessions over the API with the pages' permissions and the pages' jobs: the event's
organisers (and admins) list, create and change sessions through the services, and run,
publish and repair them as the same background jobs the session page starts, followed at
/jobs/{id}; other organisers, exhibitors, buyers and anonymous callers are refused, read
tokens can't write, one-event tokens stay in their event; bad bodies write nothing."""

from __future__ import annotations

import json
from datetime import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.catalog import services as catalog
from app.events.registrations import services as reg
from app.matching.engine import scoring
from app.matching.models import MatchingSession, Meeting
from app.matching.sessions import services
from app.tasks.models import Task
from tests.api.conftest import bearer
from tests.conftest import NOW

PROBLEM = "application/problem+json"
HISTORY = {"history": scoring.DEFAULT_HISTORY_WEIGHT}  # the weight of earlier meetings, by default


@pytest.fixture()
def fair(db, organiser, make_producer, make_buyer, make_user, make_product, make_open_event):
    """An open fair of `organiser` with 3 approved producers and 3 approved buyers who all want
    tea, and a draft session of 1 h 30 on 4 tables (9 meetings, as on the page's test)."""
    event = make_open_event(organiser=organiser)
    exhibitors, buyers = [], []
    for _ in range(3):
        organisation = make_producer()
        user = make_user(role="exhibitor", organisation=organisation)
        item = make_product(organisation, category="tea", ocop_group="beverages", capacity_per_month=500)
        reg.approve(organiser, reg.apply_as_exhibitor(user, event, [item.id], now=NOW), now=NOW)
        exhibitors.append(user)
    for _ in range(3):
        organisation = make_buyer()
        user = make_user(role="buyer", organisation=organisation)
        demand = catalog.save_demand_line(
            user, organisation, category="tea", monthly_volume=200, unit="kg", min_stars=3
        )
        reg.approve(organiser, reg.register_as_buyer(user, event, [demand.id], now=NOW), now=NOW)
        buyers.append(user)
    session = services.create_session(organiser, event, day_start=time(8, 30), day_end=time(10, 0), tables=4)
    db.session.commit()
    return SimpleNamespace(event=event, session=session, exhibitor=exhibitors[0], buyer=buyers[0])


@pytest.fixture()
def tokens(fair, organiser, make_user, make_open_event, make_token):
    """A token of each role, in `scope`; None for the anonymous caller."""
    admin, other = make_user(role="admin"), make_user(role="organiser")
    other_event = make_open_event(organiser=organiser)

    def of(scope: str) -> dict:
        return {
            "anonymous": None,
            "organiser": make_token(organiser, scope=scope),
            "admin": make_token(admin, scope=scope),
            "other organiser": make_token(other, scope=scope),
            "exhibitor": make_token(fair.exhibitor, scope=scope),
            "buyer": make_token(fair.buyer, scope=scope),
            "one-event token": make_token(organiser, scope=scope, event=other_event),
        }

    return of


REFUSED = {
    "anonymous": 401,
    "other organiser": 403,
    "exhibitor": 403,
    "buyer": 403,
    "one-event token": 403,
}


def _headers(secret, **extra) -> dict:
    return bearer(secret, **extra) if secret else dict(extra)


def _sessions(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(MatchingSession))


def _tasks(db) -> list[Task]:
    db.session.expire_all()
    return list(db.session.scalars(select(Task).order_by(Task.id)))


def _meetings(db, session) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Meeting).where(Meeting.session_id == session.id)
    )


def _settings(db, session_id) -> dict:
    db.session.expire_all()
    session = db.session.get(MatchingSession, session_id)
    return {key: getattr(session, key) for key in services.SESSION_FIELDS} | {
        "weights_json": session.weights_json
    }


# ---------------------------------------------------------------- reading


def test_every_role_on_the_event_s_sessions_and_a_session(client, fair, tokens, db):
    callers = tokens("read")
    for url in (f"/api/v1/events/{fair.event.id}/sessions", f"/api/v1/sessions/{fair.session.id}"):
        for role, secret in callers.items():
            response = client.get(url, headers=_headers(secret))
            assert response.status_code == REFUSED.get(role, 200), (url, role)
            if response.status_code != 200:
                assert response.mimetype == PROBLEM
    body = client.get(
        f"/api/v1/events/{fair.event.id}/sessions", headers=bearer(callers["organiser"])
    ).get_json()
    assert body["total"] == 1
    (item,) = body["items"]
    assert item["id"] == fair.session.id and item["state"] == "draft"
    assert item["settings"]["day_start"] == "08:30:00" and item["settings"]["tables"] == 4
    assert item["settings"]["weights"] == scoring.DEFAULT_WEIGHTS | HISTORY
    assert item["summary"]["meetings"] == 0 and item["summary"]["slots"] == 3
    assert item["job"] is None
    assert item["name"]["vi"] == fair.session.name
    one = client.get(f"/api/v1/sessions/{fair.session.id}", headers=bearer(callers["admin"])).get_json()
    assert one == item
    organiser_token = bearer(callers["organiser"])
    assert client.get("/api/v1/sessions/2147483647", headers=organiser_token).status_code == 404
    assert client.get("/api/v1/events/2147483647/sessions", headers=organiser_token).status_code == 404
    assert client.get("/api/v1/sessions/2147483648", headers=organiser_token).status_code == 404
    assert (
        client.get(f"/api/v1/events/{fair.event.id}/sessions?per_page=0", headers=organiser_token).status_code
        == 422
    )


def test_the_list_is_paged_by_first_day(client, fair, organiser, make_token, db):
    later = services.create_session(organiser, fair.event, name="Phiên 2", first_day=fair.session.first_day)
    db.session.commit()
    token = bearer(make_token(organiser))
    url = f"/api/v1/events/{fair.event.id}/sessions?per_page=1"
    first = client.get(url, headers=token).get_json()
    assert first["total"] == 2 and [s["id"] for s in first["items"]] == [fair.session.id]
    second = client.get(first["links"]["next"], headers=token).get_json()
    assert [s["id"] for s in second["items"]] == [later.id]


# ---------------------------------------------------------------- creating and changing


def test_every_role_creating_a_session(client, fair, tokens, db):
    callers = tokens("write")
    url = f"/api/v1/events/{fair.event.id}/sessions"
    body = {"name": "Giao thương chè", "tables": 6, "day_start": "09:00", "day_end": "11:00"}
    for role, secret in callers.items():
        response = client.post(url, headers=_headers(secret), json=body)
        assert response.status_code == REFUSED.get(role, 201), role
        if response.status_code != 201:
            assert response.mimetype == PROBLEM
    assert _sessions(db) == 3  # the organiser's and the admin's, beside the fixture's
    read_only = client.post(url, headers=bearer(tokens("read")["organiser"]), json=body)
    assert read_only.status_code == 403 and read_only.mimetype == PROBLEM
    assert _sessions(db) == 3


def test_organisers_create_a_session_through_the_service(client, fair, organiser, make_token, db):
    token = bearer(make_token(organiser, scope="write"))
    response = client.post(
        f"/api/v1/events/{fair.event.id}/sessions",
        headers=token,
        json={
            "name": "Giao thương chè",
            "name_en": "Tea B2B",
            "tables": 6,
            "breaks": "09:30-09:45 tea",
            "weights": {"price": 0.5, "mutual": 0},
        },
    )
    assert response.status_code == 201
    created = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/sessions/{created['id']}")
    # The settings not given take the page's defaults; the weights not given too.
    defaults = services.default_values(fair.event)
    assert created["state"] == "draft" and created["name"] == {
        "vi": "Giao thương chè",
        "en": "Tea B2B",
        "fr": defaults["name_fr"],
    }
    assert created["settings"]["first_day"] == defaults["first_day"].isoformat()
    assert created["settings"]["meeting_minutes"] == defaults["meeting_minutes"]
    assert created["settings"]["weights"] == scoring.DEFAULT_WEIGHTS | HISTORY | {"price": 0.5, "mutual": 0}
    session = db.session.get(MatchingSession, created["id"])
    assert (session.event_id, session.tables, session.breaks) == (fair.event.id, 6, "09:30-09:45 tea")
    assert client.get(response.headers["Location"], headers=token).get_json() == created
    # A term set to 0 alone: the others keep their default weight, so the score still counts.
    zero = client.post(
        f"/api/v1/events/{fair.event.id}/sessions", headers=token, json={"weights": {"category": 0}}
    )
    assert zero.status_code == 201
    assert zero.get_json()["settings"]["weights"] == scoring.DEFAULT_WEIGHTS | HISTORY | {"category": 0}


def test_organisers_change_the_settings(client, fair, tokens, db):
    callers = tokens("write")
    url = f"/api/v1/sessions/{fair.session.id}"
    before = _settings(db, fair.session.id)
    for role, secret in callers.items():
        if role in REFUSED:
            response = client.patch(url, headers=_headers(secret), json={"tables": 7})
            assert response.status_code == REFUSED[role], role
            assert response.mimetype == PROBLEM
    read_only = client.patch(url, headers=bearer(tokens("read")["organiser"]), json={"tables": 7})
    assert read_only.status_code == 403
    assert _settings(db, fair.session.id) == before

    token = bearer(callers["organiser"])
    changed = client.patch(
        url, headers=token, json={"tables": 7, "name_en": "Tea", "weights": {"category": 0.5}}
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["settings"]["tables"] == 7
    # `weights` merges: another PATCH keeps the category's weight while it sets the price's.
    again = client.patch(url, headers=bearer(callers["admin"]), json={"weights": {"price": 0.2}})
    assert again.status_code == 200
    weights = again.get_json()["settings"]["weights"]
    assert weights["category"] == 0.5 and weights["price"] == 0.2
    # null clears an optional text; the settings not named keep their value.
    cleared = client.patch(url, headers=token, json={"name_en": None}).get_json()
    assert cleared["name"]["en"] is None and cleared["settings"]["tables"] == 7
    stored = _settings(db, fair.session.id)
    assert stored["tables"] == 7 and stored["name_en"] is None
    assert json.loads(stored["weights_json"])["category"] == 0.5
    assert stored["day_start"] == before["day_start"]


def test_organisers_set_the_weight_of_earlier_meetings(client, fair, organiser, make_token, db):
    """The history term (memory across events), read and written like the form's "Earlier
    meetings": 0 to 1, 0 turns it off, kept when a PATCH changes only the other weights."""
    token = bearer(make_token(organiser, scope="write"))
    url = f"/api/v1/sessions/{fair.session.id}"
    assert client.get(url, headers=token).get_json()["settings"]["weights"]["history"] == (
        scoring.DEFAULT_HISTORY_WEIGHT
    )
    changed = client.patch(url, headers=token, json={"weights": {"history": 0.6}})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["settings"]["weights"]["history"] == 0.6
    session = db.session.get(MatchingSession, fair.session.id)
    assert services.history_weight_of(session) == 0.6
    # Another term alone: the history weight stays; 0 turns it off, other terms unchanged.
    kept = client.patch(url, headers=token, json={"weights": {"price": 0.3}}).get_json()
    assert kept["settings"]["weights"]["history"] == 0.6 and kept["settings"]["weights"]["price"] == 0.3
    off = client.patch(url, headers=token, json={"weights": {"history": 0}}).get_json()
    assert off["settings"]["weights"]["history"] == 0 and off["settings"]["weights"]["price"] == 0.3
    db.session.expire_all()
    assert services.history_weight_of(db.session.get(MatchingSession, fair.session.id)) == 0
    created = client.post(
        f"/api/v1/events/{fair.event.id}/sessions", headers=token, json={"weights": {"history": 1}}
    )
    assert created.status_code == 201
    assert created.get_json()["settings"]["weights"] == scoring.DEFAULT_WEIGHTS | {"history": 1.0}
    assert services.history_weight_of(db.session.get(MatchingSession, created.get_json()["id"])) == 1.0


BAD_SETTINGS = [
    ({"name": ""}, "name"),  # the service's rule
    ({"name": "   "}, "name"),
    ({"name": None}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "chè\x00"}, "name"),
    ({"name_en": "\ud800"}, "name_en"),
    ({"tables": 0}, "tables"),
    ({"tables": 10**30}, "tables"),
    ({"tables": "4"}, "tables"),
    ({"tables": True}, "tables"),
    ({"tables": 4.5}, "tables"),
    ({"meeting_minutes": 2}, "meeting_minutes"),
    ({"gap_minutes": -1}, "gap_minutes"),
    ({"max_meetings_per_buyer": 201}, "max_meetings_per_buyer"),
    ({"first_day": "2020-01-01"}, "first_day"),
    ({"first_day": "tomorrow"}, "first_day"),
    ({"last_day": "99999-01-01"}, "last_day"),
    ({"day_start": "08:30+07:00"}, "day_start"),
    ({"day_start": "25:00"}, "day_start"),
    ({"day_start": "10:00", "day_end": "09:00"}, "day_end"),
    ({"breaks": "lunch"}, "breaks"),
    ({"breaks": ["12:00-13:00"]}, "breaks"),
    ({"weights": {"colour": 1}}, "weights.colour"),
    ({"weights": {"price": 2}}, "weights"),
    ({"weights": {"price": "much"}}, "weights.price"),
    ({"weights": {"history": 1.5}}, "weights"),
    ({"weights": {"history": -0.1}}, "weights"),
    ({"weights": {"history": "some"}}, "weights.history"),
    ({"weights": {"history": None}}, "weights.history"),
    ({"weights": dict.fromkeys(scoring.TERMS, 0)}, "weights"),
    ({"weights": "heavy"}, "weights"),
    ({"state": "published"}, "state"),
    ({"id": 5}, "id"),
    ([1, 2], None),
    ("tables", None),
]


def test_bad_settings_name_their_field_and_write_nothing(client, fair, organiser, make_token, db):
    token = bearer(make_token(organiser, scope="write"), **{"Accept-Language": "en"})
    before = _settings(db, fair.session.id)
    for url, method in (
        (f"/api/v1/events/{fair.event.id}/sessions", client.post),
        (f"/api/v1/sessions/{fair.session.id}", client.patch),
    ):
        for body, field in BAD_SETTINGS:
            response = method(url, headers=token, json=body)
            assert response.status_code == 422, (url, body, response.get_json())
            problem = response.get_json()
            assert response.mimetype == PROBLEM and problem["status"] == 422
            if field:
                assert field in [p["name"] for p in problem["invalid_params"]], (body, problem)
        malformed = method(url, headers=token, data="{not json", content_type="application/json")
        assert malformed.status_code == 400 and malformed.mimetype == PROBLEM
    assert _sessions(db) == 1
    assert _settings(db, fair.session.id) == before


# ---------------------------------------------------------------- jobs


def test_who_may_start_a_job(client, fair, tokens, db, worker):
    callers = tokens("write")
    for action in ("run", "publish", "repair"):
        url = f"/api/v1/sessions/{fair.session.id}/{action}"
        for role, secret in callers.items():
            if role in REFUSED:
                response = client.post(url, headers=_headers(secret))
                assert response.status_code == REFUSED[role], (action, role)
                assert response.mimetype == PROBLEM
        read_only = client.post(url, headers=bearer(tokens("read")["organiser"]))
        assert read_only.status_code == 403
    assert _tasks(db) == [] and worker.pending() == []
    # An administrator may, as the event's organisers.
    started = client.post(f"/api/v1/sessions/{fair.session.id}/run", headers=bearer(callers["admin"]))
    assert started.status_code == 202
    assert [(t.kind, t.state) for t in _tasks(db)] == [("matching.run", "queued")]


def test_a_run_through_the_api_is_the_page_s_job(client, fair, organiser, tokens, db, worker):
    callers = tokens("write")
    token = bearer(callers["organiser"], **{"Accept-Language": "en"})
    url = f"/api/v1/sessions/{fair.session.id}"
    started = client.post(url + "/run", headers=token, json={})
    assert started.status_code == 202
    job = started.get_json()
    assert started.headers["Location"] == job["links"]["self"]
    assert job["links"]["self"].endswith(f"/api/v1/jobs/{job['id']}")
    assert (job["kind"], job["status"], job["final"]) == ("matching.run", "queued", False)
    assert job["progress"]["phase"] == "queued" and job["progress"]["phase_label"] == "Waiting for a worker"
    assert job["links"]["result"] is None and job["event_id"] == fair.event.id
    # The same job as the page's: one row on the session's lock, one message on the heavy queue.
    (task,) = _tasks(db)
    assert (task.kind, task.queue, task.started_by_id) == ("matching.run", "heavy", organiser.id)
    assert task.params == {"event_id": fair.event.id, "session_id": fair.session.id}
    assert [(q, name) for q, name, _args in worker.pending()] == [("heavy", "ocopfair.run")]
    assert _meetings(db, fair.session) == 0
    # One job a session at a time: a second start is a conflict pointing at the first.
    for action in ("run", "publish", "repair"):
        second = client.post(url + f"/{action}", headers=bearer(callers["admin"]))
        assert second.status_code == 409 and second.mimetype == PROBLEM
        assert second.headers["Location"] == job["links"]["self"]
    assert len(_tasks(db)) == 1
    session = client.get(url, headers=token).get_json()
    assert session["job"] == {
        "id": job["id"],
        "kind": "matching.run",
        "status": "queued",
        "href": job["links"]["self"],
    }

    worker.drain()
    done = client.get(started.headers["Location"], headers=token).get_json()
    assert (done["status"], done["final"], done["progress"]["percent"]) == ("done", True, 100)
    assert done["message"].startswith("Matching done: 9 meetings")
    assert done["links"]["result"].endswith(url) and done["finished_at"]
    assert _meetings(db, fair.session) == 9
    session = client.get(done["links"]["result"], headers=token).get_json()
    assert session["state"] == "solved" and session["summary"]["meetings"] == 9
    assert session["job"]["status"] == "done"

    published = client.post(url + "/publish", headers=token)
    assert published.status_code == 202 and published.get_json()["kind"] == "matching.publish"
    worker.drain()
    after = client.get(published.headers["Location"], headers=token).get_json()
    assert after["status"] == "done" and after["message"].startswith("Published:")
    db.session.expire_all()
    assert db.session.get(MatchingSession, fair.session.id).state == "published"
    # A published session is repaired, not run again: refused at once, as on the page.
    refused = client.post(url + "/run", headers=token)
    assert refused.status_code == 422 and refused.mimetype == PROBLEM
    assert refused.get_json()["detail"] == "The session is published: use Repair to absorb changes."
    # Settings that would move published meetings are refused, naming the field.
    moved = client.patch(url, headers=token, json={"day_start": "09:00"})
    assert moved.status_code == 422
    assert [p["name"] for p in moved.get_json()["invalid_params"]] == ["day_start"]
    repaired = client.post(url + "/repair", headers=token)
    assert repaired.status_code == 202
    worker.drain()
    assert client.get(repaired.headers["Location"], headers=token).get_json()["status"] == "done"
    assert [t.kind for t in _tasks(db)] == ["matching.run", "matching.publish", "matching.repair"]
    assert all(t.state == "succeeded" for t in _tasks(db))


def test_a_job_that_fails_says_why(client, fair, organiser, make_token, db, worker):
    token = bearer(make_token(organiser, scope="write"), **{"Accept-Language": "en"})
    started = client.post(f"/api/v1/sessions/{fair.session.id}/publish", headers=token)
    assert started.status_code == 202  # as on the page: the job itself finds nothing to publish
    worker.drain()
    failed = client.get(started.headers["Location"], headers=token).get_json()
    assert (failed["status"], failed["final"], failed["level"]) == ("failed", True, "danger")
    assert failed["message"] == "Run the matching first: there is no meeting to publish."
    assert failed["links"]["result"] is None


def test_with_the_queue_unreachable_nothing_is_started(app, fair, organiser, make_token, db, tmp_path):
    from app import create_app
    from tests.conftest import IsolatedClient

    unreachable = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        TASKS_FOLDER=str(tmp_path / "tasks"),
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
    )
    unreachable.test_client_class = IsolatedClient
    token = bearer(make_token(organiser, scope="write"), **{"Accept-Language": "en"})
    try:
        response = unreachable.test_client().post(f"/api/v1/sessions/{fair.session.id}/run", headers=token)
    finally:
        with unreachable.app_context():
            db.engine.dispose()
    assert response.status_code == 503 and response.mimetype == PROBLEM
    assert response.get_json()["detail"] == (
        "The job queue can't be reached right now, so nothing was started. Try again in a minute."
    )
    assert _tasks(db) == []


def test_who_may_follow_a_job(client, fair, tokens, db, worker):
    callers = tokens("read")
    started = client.post(
        f"/api/v1/sessions/{fair.session.id}/run", headers=bearer(tokens("write")["organiser"])
    )
    url = started.headers["Location"]
    for role, secret in callers.items():
        response = client.get(url, headers=_headers(secret))
        expected = {
            "anonymous": 401,
            "other organiser": 404,  # another event's job is not told to exist
            "exhibitor": 404,
            "buyer": 404,
            "one-event token": 403,
        }.get(role, 200)
        assert response.status_code == expected, role
        if expected != 200:
            assert response.mimetype == PROBLEM
    organiser_token = bearer(callers["organiser"])
    assert client.get("/api/v1/jobs/2147483647", headers=organiser_token).status_code == 404
    assert client.get("/api/v1/jobs/2147483648", headers=organiser_token).status_code == 404


def test_job_bodies_are_refused_when_they_carry_anything(client, fair, organiser, make_token, db, worker):
    token = bearer(make_token(organiser, scope="write"))
    url = f"/api/v1/sessions/{fair.session.id}/run"
    for body in ({"now": True}, [1], "run"):
        response = client.post(url, headers=token, json=body)
        assert response.status_code == 422 and response.mimetype == PROBLEM, body
    assert client.post(url, headers=token, data="{", content_type="application/json").status_code == 400
    assert _tasks(db) == [] and worker.pending() == []


def test_the_operations_are_documented(client, db):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert set(paths["/api/v1/events/{event_id}/sessions"]) >= {"get", "post"}
    assert set(paths["/api/v1/sessions/{session_id}"]) >= {"get", "patch"}
    for action in ("run", "publish", "repair"):
        operation = paths[f"/api/v1/sessions/{{session_id}}/{action}"]["post"]
        assert "Location" in operation["responses"]["202"]["headers"]
    assert "get" in paths["/api/v1/jobs/{task_id}"]
    body = spec["components"]["schemas"]["SessionSettings"]
    assert body["additionalProperties"] is False and "weights" in body["properties"]
    assert "history" in spec["components"]["schemas"]["Weights"]["properties"]


def test_a_job_of_no_event_is_its_starter_s_and_the_admins(
    client, fair, organiser, make_user, make_token, db
):
    task = Task(
        message_id="import-1", kind="imports.confirm", lock_key="import:1", started_by_id=fair.exhibitor.id
    )
    db.session.add(task)
    db.session.commit()
    url = f"/api/v1/jobs/{task.id}"
    for user, expected in (
        (fair.exhibitor, 200),
        (make_user(role="admin"), 200),
        (organiser, 404),
        (fair.buyer, 404),
    ):
        assert client.get(url, headers=bearer(make_token(user))).status_code == expected, user.role
    job = client.get(url, headers=bearer(make_token(fair.exhibitor))).get_json()
    assert (job["status"], job["event_id"], job["links"]["result"]) == ("queued", None, None)


def test_a_job_whose_worker_stopped_is_failed(client, app, fair, organiser, make_token, db):
    import time as clock

    from app.tasks import progress

    task = Task(
        message_id="stopped-1",
        kind="matching.run",
        lock_key=f"matching-session:{fair.session.id}",
        event_id=fair.event.id,
        started_by_id=organiser.id,
        state="running",
        params={"event_id": fair.event.id, "session_id": fair.session.id},
    )
    db.session.add(task)
    db.session.commit()
    token = bearer(make_token(organiser), **{"Accept-Language": "en"})
    running = client.get(f"/api/v1/jobs/{task.id}", headers=token).get_json()
    assert (running["status"], running["final"], running["interrupted"]) == ("running", False, False)
    progress.store().write(
        task.message_id, {"phase": "scoring", "done": 1, "total": 4, "alive": clock.time() - 600}
    )
    stopped = client.get(f"/api/v1/jobs/{task.id}", headers=token).get_json()
    assert (stopped["status"], stopped["final"], stopped["interrupted"]) == ("failed", True, True)
    assert stopped["message"] == "The worker stopped in the middle of this job; nothing was changed."
