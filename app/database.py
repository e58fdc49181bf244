"""Declarative base with a constraint naming convention, and shared column helpers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

from app import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The app's clock (app/clock.py), kept here for column defaults."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back as an aware datetime.

    SQLite keeps no time zone, so values are normalised to UTC on the way in
    and tagged as UTC on the way out; PostgreSQL stores timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _sqlite_connection_settings(dbapi_connection, _record) -> None:
    """SQLite settings that hold per connection (foreign keys) or matter for a shared file.

    SQLite ignores foreign keys (and ON DELETE CASCADE) unless asked, connection by connection.

    A database file is shared by processes (`make run`: the web server, its scheduler and the
    worker): with the default rollback journal a reader blocks a writer and a writer blocks
    every reader, and a connection that finds the file locked fails at once ("database is
    locked"). WAL lets the pages read while a worker's job writes, and `busy_timeout` makes a
    writer wait up to 30 s for another writer instead of failing (a job's writes are one
    transaction, so it is the longest wait). An in-memory database (`sqlite://`, tests) is
    one connection's own, so neither applies there.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if _is_database_file(cursor):
            cursor.execute("PRAGMA journal_mode=WAL")  # kept in the file: the first connection sets it
        cursor.close()


def _is_database_file(cursor) -> bool:
    """Whether the main database is a file (not `:memory:` nor a temporary one)."""
    for _seq, name, path in cursor.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return bool(path)
    return False


# Files that follow the transaction: kept or removed only once the database has decided.
_ON_COMMIT, _ON_ROLLBACK = "unlink_on_commit", "unlink_on_rollback"


def unlink_after_commit(session: Session, path: Path) -> None:
    """Remove `path` when the session commits (e.g. the photo a product no longer uses)."""
    session.info.setdefault(_ON_COMMIT, []).append(path)


def unlink_after_rollback(session: Session, path: Path) -> None:
    """Remove `path` if the session rolls back (e.g. a new photo whose product was not saved)."""
    session.info.setdefault(_ON_ROLLBACK, []).append(path)


@event.listens_for(Session, "after_commit")
def _unlink_committed(session: Session) -> None:
    for path in session.info.pop(_ON_COMMIT, []):
        Path(path).unlink(missing_ok=True)
    session.info.pop(_ON_ROLLBACK, None)


@event.listens_for(Session, "after_soft_rollback")
def _unlink_rolled_back(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    for path in session.info.pop(_ON_ROLLBACK, []):
        Path(path).unlink(missing_ok=True)
    session.info.pop(_ON_COMMIT, None)


@contextmanager
def savepoint(session) -> Iterator[None]:
    """A SAVEPOINT nested in the caller's transaction: an IntegrityError inside rolls back only it.

    pysqlite begins its transaction only at the first write, and SQLite takes a SAVEPOINT
    outside a transaction as the transaction itself (its RELEASE would commit). So on SQLite,
    if nothing has been written yet, the transaction is begun first (a deferred BEGIN takes no
    lock until the first write). Other databases are always inside the caller's transaction.
    Objects to insert are added inside the block: begin_nested() flushes what is pending first.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")
    with session.begin_nested():
        yield
