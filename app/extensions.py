"""Extension objects, created unbound and bound to the app in create_app."""

from __future__ import annotations

import logging
from collections.abc import Callable

import click
from flask import Flask, abort, current_app, has_app_context
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.database import Base


class _LazyGroup(click.Group):
    """A command group that stands in for one built on first use.

    Listed (name and help) without being built; when invoked, `load()` builds the real
    group and the command line is parsed by it, so its options and subcommands are its own.
    """

    def __init__(self, name: str, load: Callable[[], click.Group], help: str) -> None:
        super().__init__(name, help=help)
        self._load = load

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        return self._load().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._load().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load().get_command(ctx, cmd_name)


class LazyMigrate:
    """Flask-Migrate, bound when a `flask db ...` command runs.

    Flask-Migrate imports Alembic (and Mako) at once, a tenth of a second or more of
    start-up for every process, when only `flask db ...` uses them. `init_app` only adds the `flask db` group;
    the first use binds a real `flask_migrate.Migrate` to the app, which sets
    `app.extensions["migrate"]` (read by migrations/env.py) and the real group.
    """

    COMMAND = "db"

    def init_app(self, app: Flask, db: SQLAlchemy, **options) -> None:
        def load() -> click.Group:
            if "migrate" not in app.extensions:
                # Alembic logs each plugin it sets up (INFO) on import; imported before logging was
                # configured, as it used to be, those lines went nowhere: keep them quiet.
                plugins_log = logging.getLogger("alembic.runtime.plugins")
                level = plugins_log.level
                plugins_log.setLevel(logging.WARNING)
                try:
                    from flask_migrate import Migrate
                finally:
                    plugins_log.setLevel(level)
                Migrate(app, db, command=self.COMMAND, **options)  # replaces the stand-in in app.cli
            return app.cli.commands[self.COMMAND]

        app.cli.add_command(_LazyGroup(self.COMMAND, load, help="Perform database migrations."))


class AppLimiter(Limiter):
    """Flask-Limiter whose counters' storage belongs to each app it is bound to.

    Flask-Limiter keeps one storage per extension object, replaced by each `init_app`; one
    process may build several apps (the tests do, a production one among them), and a page of one
    must never count in the storage of another. The storage (and the strategy working on it) is
    kept in `app.extensions` and read from the current app.
    """

    _KEY = "ratelimit_storage"

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        own = self.__dict__
        app.extensions[self._KEY] = (own.pop("_own_storage", None), own.pop("_own_limiter", None))

    def _current(self, index: int):
        if has_app_context() and self._KEY in current_app.extensions:
            return current_app.extensions[self._KEY][index]
        return self.__dict__.get(("_own_storage", "_own_limiter")[index])

    @property
    def _storage(self):
        return self._current(0)

    @_storage.setter
    def _storage(self, value) -> None:
        self.__dict__["_own_storage"] = value

    @property
    def _limiter(self):
        return self._current(1)

    @_limiter.setter
    def _limiter(self, value) -> None:
        self.__dict__["_own_limiter"] = value


class _SQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy whose `paginate` and `get_or_404` take any request's numbers safely.

    Its own `paginate` reads `?page=` and `?per_page=` as any int, so `?page=10**20` became an
    OFFSET no database takes (a server error); `get_or_404(Model, 10**20)` failed the same way
    on PostgreSQL. Here a page out of 1..2**31-1 is page 1, and an id out of range is a 404.
    """

    def paginate(self, select, *, page=None, per_page=None, max_per_page=None, error_out=True, count=True):
        from app.inputs import bounded_page, int_arg, page_arg

        page = page_arg() if page is None else bounded_page(page)
        if per_page is None:
            per_page = int_arg("per_page", 20, minimum=1, maximum=max_per_page or 100)
        return super().paginate(
            select, page=page, per_page=per_page, max_per_page=max_per_page, error_out=error_out, count=count
        )

    def get_or_404(self, entity, ident, *, description=None):
        from app.inputs import DB_INT_MAX

        if isinstance(ident, int) and not -DB_INT_MAX - 1 <= ident <= DB_INT_MAX:
            abort(404, description=description)
        return super().get_or_404(entity, ident, description=description)


db = _SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
#: Rate limits (Flask-Limiter): apply them with `app.ratelimit.limit_per_address`, which reads the
#: limit from a setting; `limiter.storage` also keeps the failed-login counters (app/accounts/throttling.py).
limiter = AppLimiter(key_func=get_remote_address, strategy="moving-window")
