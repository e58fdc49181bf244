"""Background jobs as organisers meet them: one click enqueues one job, the page shows its
progress and then its outcome, a job whose input changed while it waited writes nothing,
and only the event's organisers see its jobs."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from app.events.registrations import services as reg
from app.extensions import db as _db
from app.matching.models import Meeting
from app.tasks import progress
from app.tasks.models import Task
from app.tasks.runner import NOT_YET, Outcome, background_job, execute
from tests.conftest import queries_of, text_of
from tests.matching.conftest import small_fair
from tests.pages import flashes


def _session_url(session) -> str:
    return f"/manage/events/{session.event_id}/matching/{session.id}"


def _tasks() -> list[Task]:
    return list(_db.session.scalars(select(Task).order_by(Task.id)))


def _meetings(session) -> int:
    return _db.session.scalar(
        select(func.count()).select_from(Meeting).where(Meeting.session_id == session.id)
    )


@pytest.fixture()
def ready(fair, client, login):
    """A session with 3 buyers and 3 producers, and its organiser logged in (pages in English)."""
    small_fair(fair)
    session = fair.session()
    _db.session.commit()
    login(fair.organiser)
    client.get("/?lang=en")
    return session


def test_the_button_returns_at_once_and_the_worker_does_the_work(ready, fair, client, html, worker):
    response = client.post(_session_url(ready) + "/run")
    assert response.status_code == 302
    (task,) = _tasks()
    assert (task.kind, task.state, task.queue) == ("matching.run", "queued", "heavy")
    assert task.started_by_id == fair.organiser.id
    assert _meetings(ready) == 0  # nothing was done in the request
    assert [(queue, name) for queue, name, _args in worker.pending()] == [("heavy", "ocopfair.run")]
    polled = client.get(f"/manage/events/{ready.event_id}/jobs/{task.id}/progress.json").get_json()
    assert polled["state"] == "queued" and polled["final"] is False
    assert polled["phase_label"] == "Waiting for a worker"

    worker.drain()
    (task,) = _tasks()
    assert task.state == "succeeded" and task.attempts == 1
    assert task.started_at <= task.finished_at
    assert _meetings(ready) == 9
    polled = client.get(f"/manage/events/{ready.event_id}/jobs/{task.id}/progress.json").get_json()
    assert polled["final"] is True and polled["percent"] == 100
    assert polled["message"].startswith("Matching done: 9 meetings")
    # The job reported its phases as it went; the progress store keeps its path.
    passed = [name for name, _total in progress.read(task.message_id)["passed"]]
    assert passed[:3] == ["loading", "scoring", "selecting"] and passed[-2:] == ["scheduling", "writing"]


def test_a_double_click_enqueues_one_job_and_says_it_is_running(ready, client, html, worker):
    client.post(_session_url(ready) + "/run")
    second = html(client.post(_session_url(ready) + "/run", follow_redirects=True))
    assert "This is already running: the progress is shown below." in flashes(second)
    assert second.select_one("#job")["data-state"] == "queued"
    client.post(_session_url(ready) + "/repair")  # any other matching job on the session waits too
    assert len(_tasks()) == 1
    assert len(worker.pending()) == 1
    worker.drain()
    assert [t.state for t in _tasks()] == ["succeeded"]
    client.post(_session_url(ready) + "/run")  # once it ended, it can run again
    assert [t.state for t in _tasks()] == ["succeeded", "queued"]


def test_a_published_session_is_not_run_again_and_the_button_says_why(ready, client, html, worker):
    client.post(_session_url(ready) + "/run")
    worker.drain()
    client.post(_session_url(ready) + "/publish")
    worker.drain()
    refused = html(client.post(_session_url(ready) + "/run", follow_redirects=True))
    assert "The session is published: use Repair to absorb changes." in flashes(refused)
    assert [t.kind for t in _tasks()] == ["matching.run", "matching.publish"]  # no third job
    assert worker.pending() == []


def test_an_event_cancelled_while_the_job_waited_ends_with_why_and_writes_nothing(
    ready, fair, client, html, worker
):
    client.post(_session_url(ready) + "/run")
    fair.event.state = "cancelled"
    _db.session.commit()
    worker.drain()
    (task,) = _tasks()
    assert task.state == "failed"
    assert task.error == "The event was cancelled while the job waited. Nothing was changed."
    assert _meetings(ready) == 0
    page = html(client.get(_session_url(ready)))
    assert page.select_one("#job")["data-state"] == "failed"
    assert text_of(page.select_one("#job [data-field=message]")) == task.error


def test_withdrawn_registrations_end_the_job_with_a_clear_message(ready, fair, client, worker):
    client.post(_session_url(ready) + "/run")
    for registration in reg.approved_registrations(fair.event, "buyer"):
        registration.status = "withdrawn"
    _db.session.commit()
    worker.drain()
    (task,) = _tasks()
    assert task.state == "failed"
    assert task.error == "No approved buyers or producers are left to match. Nothing was changed."
    assert _meetings(ready) == 0


def test_a_run_with_no_candidate_pair_tells_the_organiser_plainly(fair, client, login, worker):
    """Buyers look for honey, producers sell tea: the run ends with a warning saying why, not "0 meetings"."""
    for _ in range(2):
        fair.buyer(category="honey")
        fair.producer(category="tea")
    session = fair.session()
    _db.session.commit()
    login(fair.organiser)
    client.get("/?lang=en")
    client.post(_session_url(session) + "/run")
    worker.drain()
    (task,) = _tasks()
    assert task.state == "succeeded"
    assert task.result["level"] == "warning"
    assert task.result["message"].startswith(
        "No meeting was scheduled: none of the 2 buyers and 2 producers can be matched."
    )
    assert "Check the buyers' demand and the producers' products" in task.result["message"]
    assert _meetings(session) == 0


def test_a_run_whose_candidates_get_no_meeting_says_what_to_check(fair, client, login, worker):
    small_fair(fair, buyers=2, producers=2)
    session = fair.session(max_meetings_per_buyer=0)
    _db.session.commit()
    login(fair.organiser)
    client.get("/?lang=en")
    client.post(_session_url(session) + "/run")
    worker.drain()
    (task,) = _tasks()
    assert task.result["level"] == "warning"
    assert task.result["message"].startswith("No meeting was scheduled among the 4 candidate pairs")


def test_a_message_delivered_twice_runs_the_job_once(ready, client, worker, app):
    client.post(_session_url(ready) + "/run")
    worker.drain()
    (task,) = _tasks()
    with app.app_context():
        assert execute(task.id) == "succeeded"  # a second delivery: skipped
    assert _meetings(ready) == 9
    _db.session.expire_all()
    assert _tasks()[0].attempts == 1
    with app.app_context():
        assert execute(task.id + 1000) == NOT_YET  # not committed yet: the worker retries


def test_a_job_whose_worker_died_can_be_run_again(ready, client, html, worker, app):
    client.post(_session_url(ready) + "/run")
    (task,) = _tasks()
    worker.purge()  # the message was taken by a worker that was then killed
    task.state = "running"
    _db.session.commit()
    with app.app_context():
        progress.store().write(task.message_id, {"phase": "scoring", "alive": time.time() - 600})
    page = html(client.get(_session_url(ready)))
    assert "The worker stopped in the middle of this job" in text_of(page.select_one("#job"))
    assert not page.select_one("#job").has_attr("data-poll")  # nothing to wait for
    client.post(_session_url(ready) + "/run")
    states = [t.state for t in _tasks()]
    assert states == ["failed", "queued"]
    worker.drain()
    assert [t.state for t in _tasks()] == ["failed", "succeeded"]
    assert _meetings(ready) == 9


@background_job("test.explodes", queue="default")
def _explodes(actor, progress_, *, session_id: int) -> Outcome:
    from app.matching.models import MatchingSession

    _db.session.get(MatchingSession, session_id).name = "changed by a job that then failed"
    _db.session.flush()
    raise RuntimeError("boom")


def test_a_job_that_fails_leaves_the_data_as_it_was_and_says_so(ready, organiser, client, worker, app):
    from app.tasks import services as tasks

    with app.test_request_context("/?lang=en"):
        tasks.start(organiser, "test.explodes", lock_key="test", params={"session_id": ready.id})
        _db.session.commit()
    worker.drain()
    (task,) = _tasks()
    assert task.state == "failed"
    assert task.error == "The job stopped on an unexpected error; nothing was changed. Try again."
    _db.session.expire_all()
    assert ready.name != "changed by a job that then failed"


def test_only_the_events_organisers_see_its_jobs(ready, fair, client, login, make_user, exhibitor, worker):
    client.post(_session_url(ready) + "/run")
    (task,) = _tasks()
    base = f"/manage/events/{ready.event_id}/jobs"
    for url in (base, f"{base}/{task.id}", f"{base}/{task.id}/progress.json"):
        assert client.get(url).status_code == 200
    client.post("/logout")
    for url in (base, f"{base}/{task.id}", f"{base}/{task.id}/progress.json"):
        assert client.get(url).status_code == 302  # to the login page
    login(make_user(role="organiser"))  # an organiser, but of other events
    for url in (base, f"{base}/{task.id}", f"{base}/{task.id}/progress.json"):
        assert client.get(url).status_code == 403
    assert client.get(f"/jobs/{task.id}").status_code == 404  # an event's job is only on its pages
    client.post("/logout")
    login(exhibitor)
    for url in (base, f"{base}/{task.id}/progress.json"):
        assert client.get(url).status_code == 403


def test_the_jobs_list_says_who_ran_what_and_how_long_it_took(ready, fair, client, html, worker):
    page = html(client.get(f"/manage/events/{ready.event_id}/jobs"))
    assert page.select_one("#no-jobs") is not None
    client.post(_session_url(ready) + "/run")
    worker.drain()
    client.post(_session_url(ready) + "/publish")
    page = html(client.get(f"/manage/events/{ready.event_id}/jobs"))
    rows = page.select("#jobs tbody tr")
    assert [row["data-state"] for row in rows] == ["queued", "succeeded"]  # newest first
    cells = [text_of(cell) for cell in rows[1].select("td")]
    assert cells[0] == "Run matching" and cells[2] == fair.organiser.full_name
    assert cells[5].startswith("Matching done: 9 meetings")


def test_the_jobs_list_costs_the_same_queries_however_many_jobs(ready, organiser, client, app):
    from app.tasks import services as tasks

    def queries_for_the_list() -> int:
        return queries_of(client, f"/manage/events/{ready.event_id}/jobs")

    def add_jobs(n: int, start: int) -> None:
        with app.test_request_context("/?lang=en"):
            for i in range(start, start + n):
                task = tasks.start(
                    organiser, "matching.run", lock_key=f"k{i}", params={}, event_id=ready.event_id
                )
                task.state = "succeeded"
            _db.session.commit()

    add_jobs(2, 0)
    few = queries_for_the_list()
    add_jobs(15, 2)
    assert queries_for_the_list() == few
