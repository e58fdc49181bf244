"""One transaction boundary: a request, a command or a job commits once, or nothing at all."""

from __future__ import annotations

import pytest
from flask import Blueprint, abort, flash, get_flashed_messages
from sqlalchemy import select

from app import create_app
from app.accounts.models import User
from app.errors import PermissionDenied, ServiceError
from app.extensions import db as _db
from app.transaction import after_commit, service_errors, transaction

bp = Blueprint("boundary_probe", __name__)
ran_after_commit: list[str] = []


def _write(email: str) -> None:
    user = User(email=email, full_name="Nguyễn Văn Thử", role="buyer")
    user.set_password("correct horse 42")
    _db.session.add(user)
    _db.session.flush()


@bp.post("/probe/ok/<email>")
def ok(email):
    _write(email)
    after_commit(lambda: ran_after_commit.append(email))
    return "written"


@bp.post("/probe/refused/<email>")
def refused(email):
    with service_errors():
        _write(email)
        after_commit(lambda: ran_after_commit.append(email))
        raise ServiceError("This booth was taken a moment ago.")
    return " | ".join(get_flashed_messages())


@bp.post("/probe/forbidden/<email>")
def forbidden(email):
    _write(email)
    abort(403)


@bp.post("/probe/refused-by-a-service/<email>")
def refused_by_a_service(email):
    _write(email)
    raise PermissionDenied


@bp.post("/probe/fails-at-commit/<email>")
def fails_at_commit(email):
    user = User(email=email, full_name="Trùng lặp", role="buyer")
    user.set_password("correct horse 42")
    _db.session.add(user)  # not flushed: the duplicate e-mail is refused only by the commit
    flash("Saved.")
    return "saved"


@bp.get("/probe/messages")
def messages():
    return " | ".join(get_flashed_messages())


@bp.post("/probe/crash/<email>")
def crash(email):
    _write(email)
    raise RuntimeError("a bug")


@pytest.fixture(scope="module")
def probe_app(app):
    """The application with a probe blueprint, on the suite's database."""
    probe = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
        PROPAGATE_EXCEPTIONS=False,
    )
    probe.register_blueprint(bp)
    yield probe
    with probe.app_context():
        _db.engine.dispose()


def _saved(email: str) -> bool:
    _db.session.expire_all()
    return _db.session.scalar(select(User).where(User.email == email)) is not None


def test_a_request_that_returns_normally_commits_once_and_then_runs_after_commit_work(probe_app, db):
    ran_after_commit.clear()
    response = probe_app.test_client().post("/probe/ok/a@example.vn")
    assert response.status_code == 200
    assert _saved("a@example.vn")
    assert ran_after_commit == ["a@example.vn"]


def test_a_service_error_rolls_everything_back_and_shows_its_message(probe_app, db):
    ran_after_commit.clear()
    response = probe_app.test_client().post("/probe/refused/b@example.vn")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "This booth was taken a moment ago."
    assert not _saved("b@example.vn")
    assert ran_after_commit == []


def test_an_error_response_rolls_back(probe_app, db):
    assert probe_app.test_client().post("/probe/forbidden/c@example.vn").status_code == 403
    assert not _saved("c@example.vn")


def test_a_services_permission_denied_is_the_403_page_and_rolls_back(probe_app, db):
    response = probe_app.test_client().post("/probe/refused-by-a-service/g@example.vn")
    assert response.status_code == 403
    assert not _saved("g@example.vn")


def test_a_commit_that_fails_is_a_server_error_and_says_nothing_was_saved(probe_app, db):
    client = probe_app.test_client()
    assert client.post("/probe/ok/h@example.vn").status_code == 200
    failed = client.post("/probe/fails-at-commit/h@example.vn")
    assert failed.status_code == 500
    assert "Saved." not in failed.get_data(as_text=True), "the error page says nothing was saved"
    assert client.get("/probe/messages").get_data(as_text=True) == "", "nor does the next page"
    _db.session.expire_all()
    assert len(_db.session.scalars(select(User).where(User.email == "h@example.vn")).all()) == 1


def test_an_unexpected_exception_rolls_back(probe_app, db):
    assert probe_app.test_client().post("/probe/crash/d@example.vn").status_code == 500
    assert not _saved("d@example.vn")


def test_a_command_or_job_commits_once_at_the_end_or_not_at_all(probe_app, db):
    with probe_app.app_context():
        with transaction():
            _write("e@example.vn")
        with pytest.raises(RuntimeError), transaction():
            _write("f@example.vn")
            raise RuntimeError("the job failed half-way")
    assert _saved("e@example.vn")
    assert not _saved("f@example.vn")
