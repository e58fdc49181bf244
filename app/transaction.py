"""The one transaction boundary: a request, a command or a job commits once, or rolls back.

Routes and services never call commit() or rollback(). A request that returns a response
below 400 commits once after the view; a ServiceError caught by `service_errors()` rolls
everything back and becomes the field error or the flash message, in the person's language;
any other exception, or an error response, rolls back. Commands and jobs use `transaction()`
(or `@transactional`). Work that must wait for the commit (a job written to the scheduler,
a file removed) registers with `after_commit()`; it is dropped if the transaction rolls back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, flash, g
from flask import session as cookie_session
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.errors import ServiceError, attach_to_form
from app.extensions import db

_AFTER_COMMIT = "after_commit_callbacks"


def after_commit(callback: Callable[[], object], session: Session | None = None) -> None:
    """Run `callback` once the current transaction has committed (never if it rolls back)."""
    session = session if session is not None else db.session()
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_soft_rollback")
def _forget_callbacks(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction: nothing will commit
        session.info.pop(_AFTER_COMMIT, None)


def commit() -> None:
    """Commit the session, then run what waited for it. Only the boundaries below call this."""
    session = db.session()
    session.commit()
    while callbacks := session.info.pop(_AFTER_COMMIT, []):
        for callback in callbacks:
            callback()
        session.commit()  # what the callbacks wrote (usually nothing)


def rollback() -> None:
    db.session.rollback()


@contextmanager
def service_errors(form=None, *, category: str = "danger") -> Iterator[None]:
    """Inside a request: a ServiceError from the block rolls the whole request back.

    The message goes next to its field when `form` is given (or above the form), else it is
    flashed. Code after the `with` runs only when the block was left by an error, so a view
    reads: `with service_errors(form): do(); return redirect(...)` then re-renders the form.
    """
    try:
        yield
    except ServiceError as error:
        rollback()
        g.transaction_failed = True
        if form is not None:
            attach_to_form(form, error)
        else:  # a lazy string would come back from the session as Markup, unescaped
            flash(str(error.message), getattr(error, "category", None) or category)


def init_app(app: Flask) -> None:
    """Commit once per request that succeeded; roll back anything else."""

    @app.after_request
    def _commit_or_roll_back(response):
        failed = g.pop("transaction_failed", False)
        if response.status_code >= 400 or failed:
            rollback()
            return response
        try:
            commit()
        except Exception:
            # Nothing was saved: the person must not read "Saved." on the error page.
            cookie_session.pop("_flashes", None)
            raise
        return response

    @app.teardown_request
    def _roll_back_on_exception(exc):
        if exc is not None:
            rollback()


@contextmanager
def transaction() -> Iterator[None]:
    """For a command or a job: commit once if the block ends normally, roll back otherwise."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()


def transactional(function):
    """Decorator form of `transaction()` for commands and jobs."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with transaction():
            return function(*args, **kwargs)

    return wrapper
