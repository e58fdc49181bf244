"""Administrators load the demo from a page: a background job, once per database, with its
parts as progress; `flask demo load` still loads it directly."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.catalog.models import Product
from app.demo import services as demo
from app.events.models import Event
from app.tasks import progress
from app.tasks.models import Task
from tests.conftest import text_of
from tests.pages import flashes


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _log_in(client, login, user) -> None:
    login(user)
    client.get("/?lang=en")  # the greeting is shown and gone; pages in English


def test_an_admin_loads_the_demo_from_the_page_once(client, login, db, html, make_user, worker):
    admin = make_user(role="admin")
    db.session.commit()
    _log_in(client, login, admin)
    home = html(client.get("/"))
    assert home.find("a", href="/admin/demo") is not None  # in the admin's menu
    page = html(client.get("/admin/demo"))
    assert page.select_one("#job") is None and page.select_one("#demo-loaded") is None
    assert text_of(page.select_one("form#load-demo button")) == "Load the demo data"

    first = client.post("/admin/demo/load")
    assert first.status_code == 302 and first.headers["Location"] == "/admin/demo#job"
    again = html(client.post("/admin/demo/load", follow_redirects=True))
    assert flashes(again) == ["This is already running: the progress is shown below."]
    (task,) = db.session.scalars(select(Task)).all()
    assert (task.kind, task.queue, task.event_id, task.started_by_id) == (
        "demo.load",
        "heavy",
        None,
        admin.id,
    )
    assert again.select_one("#job")["data-state"] == "queued"
    assert again.select_one("form#load-demo") is None  # no second click while it waits
    assert _count(db, Product) == 0

    worker.drain()
    phases = [tuple(step) for step in progress.read(task.message_id)["passed"]]  # the job's path
    # Its own parts only: the allocation and the matching inside the fair don't show theirs.
    assert [name for name, _total in phases] == ["logins", "producers", "buyers", "fair"]
    assert dict(phases)["logins"] == len(demo.DEMO_LOGINS) and dict(phases)["fair"] == demo.FAIR_STEPS
    last = progress.read(task.message_id)
    assert (last["phase"], last["done"], last["total"]) == ("fair", demo.FAIR_STEPS, demo.FAIR_STEPS)

    loaded = html(client.get("/admin/demo"))
    assert loaded.select_one("#job")["data-state"] == "succeeded"
    message = text_of(loaded.select_one("#job [data-field=message]"))
    assert message.startswith("The demo data is loaded: ") and f"{_count(db, Product)} products" in message
    event = db.session.scalar(select(Event))
    assert urlsplit(loaded.select_one("#job [data-field=result]")["href"]).path == f"/events/{event.slug}"
    assert loaded.select_one("#demo-loaded") is not None and loaded.select_one("form#load-demo") is None
    assert "organiser@demo.ocopfair.vn" in text_of(loaded.select_one("#demo-logins"))
    done = client.get(f"/jobs/{task.id}/progress.json").get_json()
    assert (done["state"], done["percent"], done["final"]) == ("succeeded", 100, True)

    products = _count(db, Product)
    refused = html(client.post("/admin/demo/load", follow_redirects=True))
    assert flashes(refused) == ["The demo data is already loaded in this database; it is loaded only once."]
    assert _count(db, Task) == 1 and _count(db, Product) == products


def test_a_demo_loaded_by_the_command_while_the_job_waited_is_not_loaded_again(
    client, login, db, make_user, runner, worker
):
    admin = make_user(role="admin")
    db.session.commit()
    _log_in(client, login, admin)
    client.post("/admin/demo/load")
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    products = _count(db, Product)

    worker.drain()
    (task,) = db.session.scalars(select(Task)).all()
    assert (task.state, task.error) == ("failed", "The demo data was loaded meanwhile. Nothing was changed.")
    assert _count(db, Product) == products and _count(db, Event) == 1


def test_only_administrators_may_load_the_demo(client, login, db, organiser, exhibitor, make_user, worker):
    admin = make_user(role="admin")
    db.session.commit()
    _log_in(client, login, admin)
    client.post("/admin/demo/load")
    (task,) = db.session.scalars(select(Task)).all()
    client.post("/logout")
    for user in (organiser, exhibitor):
        _log_in(client, login, user)
        assert client.get("/admin/demo").status_code == 403
        assert client.post("/admin/demo/load").status_code == 403
        assert client.get(f"/jobs/{task.id}").status_code == 403
        assert client.get(f"/jobs/{task.id}/progress.json").status_code == 403
        client.post("/logout")
    assert _count(db, Task) == 1
