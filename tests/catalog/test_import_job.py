"""Confirming an import is a background job: one per file, its starter's and the admins' to
watch, refused when the file changed while it waited, reporting "row n of N"."""

from __future__ import annotations

from sqlalchemy import func, select

from app.catalog.imports import services as imports
from app.catalog.models import ImportBatch, Product
from app.tasks import progress
from app.tasks.models import Task
from tests.catalog.test_import import BLACK_TEA, DUCK, TEA, csv_bytes, page_of, result_of_page, upload
from tests.pages import flashes


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _log_in(client, login, user) -> None:
    """Log in and read the pages in English (the greeting is shown and gone)."""
    login(user)
    client.get("/?lang=en")


def _uploaded(client, rows=(TEA, BLACK_TEA, DUCK)) -> str:
    response = upload(client, csv_bytes(list(rows)))
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[-1]


def _the_task(db) -> Task:
    (task,) = db.session.scalars(select(Task)).all()
    return task


def test_a_double_click_enqueues_one_job_and_writes_once(client, db, login, organiser, worker):
    _log_in(client, login, organiser)
    token = _uploaded(client)
    first = client.post(f"/import/{token}/confirm")
    again = client.post(f"/import/{token}/confirm", follow_redirects=True)
    assert first.status_code == 302 and again.status_code == 200
    assert flashes(page_of(again)) == ["This is already running: the progress is shown below."]
    assert page_of(again).select_one("#job")["data-state"] == "queued"
    task = _the_task(db)
    assert (task.kind, task.queue, task.event_id, task.started_by_id) == (
        "imports.confirm",
        "heavy",
        None,
        organiser.id,
    )
    assert [(queue, args) for queue, _name, args in worker.pending()] == [("heavy", [task.id])]

    worker.drain()
    assert _count(db, Product) == 3
    assert db.session.get(Task, task.id).state == "succeeded"


def test_only_its_starter_and_administrators_see_the_job(client, db, login, organiser, make_user, worker):
    other_organiser = make_user(role="organiser")
    admin = make_user(role="admin")
    db.session.commit()
    _log_in(client, login, organiser)
    token = _uploaded(client)
    client.post(f"/import/{token}/confirm")
    task = _the_task(db)
    pages = [f"/jobs/{task.id}", f"/jobs/{task.id}/progress.json"]
    for url in pages:
        assert client.get(url).status_code == 200, url
    client.post("/logout")

    _log_in(client, login, other_organiser)
    for url in pages:
        assert client.get(url).status_code == 403, url
    preview = page_of(client.get(f"/import/{token}"))  # the file is shared, its job is not
    assert preview.select_one("#job") is None and preview.select_one("form[action$='/confirm']") is None
    assert preview.select_one("#importing-elsewhere") is not None
    client.post("/logout")

    _log_in(client, login, admin)
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_a_producer_may_not_see_an_import_job(client, db, login, organiser, exhibitor, worker):
    _log_in(client, login, organiser)
    token = _uploaded(client)
    client.post(f"/import/{token}/confirm")
    task = _the_task(db)
    client.post("/logout")
    _log_in(client, login, exhibitor)
    assert client.get(f"/jobs/{task.id}").status_code == 403
    assert client.get(f"/jobs/{task.id}/progress.json").status_code == 403


def test_a_file_confirmed_while_the_job_waited_ends_failed_and_writes_nothing_again(
    app, client, db, login, organiser, worker
):
    _log_in(client, login, organiser)
    token = _uploaded(client)
    client.post(f"/import/{token}/confirm")
    with app.test_request_context("/?lang=en"):  # another way in got there first
        imports.apply(imports.batch_by_token(token), organiser)
    db.session.commit()
    assert _count(db, Product) == 3

    worker.drain()
    task = _the_task(db)
    assert task.state == "failed"
    assert task.error == "This import was already confirmed; nothing was written again."
    assert _count(db, Product) == 3
    page = page_of(client.get(f"/import/{token}"))
    assert page.select_one("#job")["data-state"] == "failed"
    assert result_of_page(page) == "This import was already confirmed; nothing was written again."


def test_a_file_deleted_while_the_job_waited_ends_failed_and_writes_nothing(
    client, db, login, organiser, worker
):
    _log_in(client, login, organiser)
    token = _uploaded(client)
    client.post(f"/import/{token}/confirm")
    db.session.delete(imports.batch_by_token(token))
    db.session.commit()

    worker.drain()
    task = _the_task(db)
    assert (task.state, task.error) == (
        "failed",
        "The uploaded file was deleted while the job waited. Nothing was changed.",
    )
    assert _count(db, Product) == 0
    page = page_of(client.get(f"/jobs/{task.id}"))
    assert result_of_page(page) == task.error


def test_the_job_reports_the_rows_it_writes(client, db, login, organiser, worker):
    _log_in(client, login, organiser)
    token = _uploaded(client, (TEA, BLACK_TEA, DUCK, TEA))  # the repeated row is skipped
    client.post(f"/import/{token}/confirm")
    task = _the_task(db)
    waiting = client.get(f"/jobs/{task.id}/progress.json").get_json()
    assert (waiting["state"], waiting["phase_label"], waiting["final"]) == (
        "queued",
        "Waiting for a worker",
        False,
    )

    worker.drain()
    last = progress.read(task.message_id)  # the last phase written stays there
    assert (last["phase"], last["done"], last["total"]) == ("rows", 3, 3)
    done = client.get(f"/jobs/{task.id}/progress.json").get_json()
    assert (done["state"], done["percent"], done["final"], done["level"]) == (
        "succeeded",
        100,
        True,
        "warning",
    )
    assert done["message"] == "3 products created, 0 updated, 0 unchanged. Rows with errors were skipped: 5."
    assert done["url"].endswith("/organisations")
    page = page_of(client.get(f"/jobs/{task.id}"))
    assert page.select_one("#open-result")["href"].endswith("/organisations")
    assert db.session.scalar(select(ImportBatch.status)) == "confirmed"
