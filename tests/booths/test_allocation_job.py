"""Allocating booths is a background job of the event: one at a time per event, its
organisers' to watch, refused when the event was cancelled while it waited, reporting its phases."""

from __future__ import annotations

from sqlalchemy import func, select

from app.booths.booking import services as booking
from app.booths.models import BoothAssignment
from app.events import services as events
from app.tasks import progress
from app.tasks.models import Task
from tests.conftest import NOW, text_of
from tests.pages import flashes


def _assignments(db) -> int:
    return db.session.scalar(select(func.count()).select_from(BoothAssignment))


def _requests_waiting(db, fair, n=2):
    booths = fair.add_booths(n)
    for booth in booths:
        user, registration = fair.exhibitor()
        booking.request_booth(user, registration, fair.standard, preferences=[booth.id])
    db.session.commit()
    return booths


def _log_in(client, login, user) -> None:
    login(user)
    client.get("/?lang=en")  # the greeting is shown and gone; pages in English


def _the_task(db) -> Task:
    (task,) = db.session.scalars(select(Task)).all()
    return task


def test_a_double_click_enqueues_one_allocation(client, login, db, fair, html, worker):
    _requests_waiting(db, fair)
    _log_in(client, login, fair.organiser)
    url = f"/manage/events/{fair.event.id}/booth-allocation"
    client.post(url)
    again = html(client.post(url, follow_redirects=True))
    assert flashes(again) == ["This is already running: the progress is shown below."]
    task = _the_task(db)
    assert (task.kind, task.queue, task.event_id, task.lock_key) == (
        "booths.allocate",
        "heavy",
        fair.event.id,
        f"booth-allocation:{fair.event.id}",
    )
    assert again.select_one("#job")["data-job-id"] == str(task.id)
    confirm_page = html(client.get(url))  # the confirmation shows the running job, its button off
    assert confirm_page.select_one("#job")["data-state"] == "queued"
    assert confirm_page.select_one("main .card form button[type=submit]").has_attr("disabled")

    worker.drain()
    assert db.session.get(Task, task.id).state == "succeeded" and _assignments(db) == 2
    jobs = html(client.get(f"/manage/events/{fair.event.id}/jobs"))  # listed among the event's jobs
    (row,) = jobs.select("table#jobs tbody tr")
    assert row["data-state"] == "succeeded"
    assert text_of(row.find_all("td")[-1]) == "Allocation done: 2 placed, 0 not placed."


def test_only_the_events_organisers_see_its_allocation_job(client, login, db, fair, make_user, worker):
    _requests_waiting(db, fair, n=1)
    other_organiser = make_user(role="organiser")
    db.session.commit()
    _log_in(client, login, fair.organiser)
    client.post(f"/manage/events/{fair.event.id}/booth-allocation")
    task = _the_task(db)
    pages = [
        f"/manage/events/{fair.event.id}/jobs/{task.id}",
        f"/manage/events/{fair.event.id}/jobs/{task.id}/progress.json",
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    assert client.get(f"/jobs/{task.id}").status_code == 404  # an event's job lives on the event's pages
    client.post("/logout")
    producer_user, _registration = fair.exhibitor()
    db.session.commit()
    for intruder in (other_organiser, producer_user):
        _log_in(client, login, intruder)
        for url in pages:
            assert client.get(url).status_code == 403, (intruder.role, url)
        client.post("/logout")


def test_an_event_cancelled_while_the_job_waited_ends_failed_and_nothing_is_written(
    client, login, db, fair, html, worker
):
    _requests_waiting(db, fair)
    _log_in(client, login, fair.organiser)
    client.post(f"/manage/events/{fair.event.id}/booth-allocation")
    events.cancel_event(fair.organiser, fair.event, now=NOW)
    db.session.commit()

    worker.drain()
    task = _the_task(db)
    assert (task.state, task.error) == (
        "failed",
        "The event was cancelled while the job waited. Nothing was changed.",
    )
    assert _assignments(db) == 0
    page = html(client.get(f"/manage/events/{fair.event.id}/jobs/{task.id}"))
    assert text_of(page.select_one("#job [data-field=message]")) == task.error


def test_the_allocation_reports_its_phases(client, login, db, fair, worker):
    _requests_waiting(db, fair, n=3)
    _log_in(client, login, fair.organiser)
    client.post(f"/manage/events/{fair.event.id}/booth-allocation")
    task = _the_task(db)
    poll = f"/manage/events/{fair.event.id}/jobs/{task.id}/progress.json"
    waiting = client.get(poll).get_json()
    assert (waiting["state"], waiting["phase_label"], waiting["final"]) == (
        "queued",
        "Waiting for a worker",
        False,
    )

    worker.drain()
    phases = [tuple(step) for step in progress.read(task.message_id)["passed"]]  # the job's path
    assert phases == [("loading", None), ("allocating", None), ("writing", 3)]
    last = progress.read(task.message_id)  # the last phase written stays there
    assert (last["phase"], last["done"], last["total"]) == ("writing", 3, 3)
    done = client.get(poll).get_json()
    assert (done["state"], done["percent"], done["final"], done["level"]) == (
        "succeeded",
        100,
        True,
        "success",
    )
    assert done["message"] == "Allocation done: 3 placed, 0 not placed."
    assert done["url"].endswith(f"/manage/events/{fair.event.id}/booth-allocation/result")
