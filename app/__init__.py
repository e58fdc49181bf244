"""ocopfair: trade fairs and B2B matchmaking for Vietnam's OCOP programme."""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, render_template, request, session
from flask_babel import format_date, format_datetime, format_decimal
from flask_login import current_user

from app import i18n
from app.extensions import babel, bootstrap, csrf, db, login_manager, migrate
from config import CONFIGS, Config

# The feature packages, lowest layer first (app/<feature>/: see README, "Where things go").
FEATURES = (
    "accounts",
    "tasks",
    "catalog",
    "events",
    "booths",
    "matching",
    "onsite",
    "notifications",
    "reports",
    "followup",
    "api.webhooks",
    "demo",
)


def create_app(config: str | type[Config] | None = None, **overrides) -> Flask:
    """Build the application: config, extensions, blueprints, CLI, error pages."""
    app = Flask(__name__, instance_relative_config=True)
    register_config(app, config, overrides)
    register_extensions(app)
    register_i18n(app)
    register_input_guards(app)
    register_blueprints(app)
    register_site_files(app)
    register_template_helpers(app)
    register_error_pages(app)
    register_api(app)
    register_cli(app)
    register_scheduler(app)
    return app


def register_config(app: Flask, config, overrides: dict) -> None:
    if config is None:
        config = os.environ.get("OCOPFAIR_CONFIG", "development")
    config_class = CONFIGS[config] if isinstance(config, str) else config
    checked = config_class.validate()  # values for this app; the class stays as it is
    app.config.from_object(config_class)
    app.config.update(checked)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_extensions(app: Flask) -> None:
    from app import ratelimit, security_headers, transaction

    db.init_app(app)
    transaction.init_app(app)
    security_headers.init_app(app)  # CSP (with a per-request nonce), framing, sniffing, referrer, HSTS
    ratelimit.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "warning"

    from app.accounts import services as accounts

    # Every module's tables, so migrations and create_all (tests) see the whole schema.
    for module in (
        "app.tasks.models",
        "app.catalog.models",
        "app.events.models",
        "app.notifications.models",
        "app.booths.models",
        "app.matching.models",
        "app.eventlog.models",
        "app.followup.models",
        "app.api.webhooks.models",
        "app.api.models",
        "app.onsite.models",
        "app.onsite.gate.models",
        "app.onsite.leads.models",
    ):
        importlib.import_module(module)
    importlib.import_module("app.notifications.services")  # connects its receivers (account mail)
    importlib.import_module("app.eventlog.services")  # connects its receiver (organiser actions)
    importlib.import_module("app.matching.jobs")  # connects its receiver (a worker starting)
    importlib.import_module("app.api.webhooks.services")  # connects its receivers (webhook deliveries)

    @login_manager.user_loader
    def load_user(login_id: str):
        # "<id>:<session version>" from the session or the remember cookie; a stale one is refused.
        return accounts.user_for_login(login_id)


def select_locale() -> str:
    languages = Config.LANGUAGES
    if not has_request_context():  # CLI commands and scheduled jobs: the configured language
        return current_app.config.get("NON_REQUEST_LOCALE", "vi")
    if request.path.startswith("/api/v1"):  # the API: Accept-Language only (no session, no cookie)
        return request.accept_languages.best_match(languages) or "vi"
    wanted = request.args.get("lang")
    if wanted in languages:  # kept for the next pages by keep_chosen_language, if this is a page
        return wanted
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return "vi"


def register_i18n(app: Flask) -> None:
    from flask_babel import get_locale, lazy_gettext, refresh

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    # Lazy, so the catalogs carry it and each request shows it in its own language; str() is
    # that request's translation (the flash goes into the session as plain text).
    login_manager.login_message = lazy_gettext("Please log in to open this page.")
    login_manager.localize_callback = str

    @app.before_request
    def remember_locale():
        # Flask-Babel caches the locale on the app context, which outlives one request
        # when an app context is already pushed (CLI, tests); each request decides anew.
        refresh()
        g.locale = str(get_locale())

    @app.after_request
    def keep_chosen_language(response):
        # A page's ?lang= switches the visit's language; a feed's or a download's (.ics, CSV)
        # speaks for that response only: opening programme.ics?lang=en must not turn the site English.
        wanted = request.args.get("lang")
        if wanted in Config.LANGUAGES and response.mimetype == "text/html":
            session["lang"] = wanted
        return response


def register_input_guards(app: Flask) -> None:
    """Bounded `<int:...>` ids (before the routes are added) and a 400 for a NUL or bytes that
    are not UTF-8 anywhere in a request (app/inputs.py); after the locale, for the error page."""
    from app import inputs

    inputs.init_app(app)


# Page modules that add their routes to a module's blueprint (booths and matching each have several).
ROUTE_MODULES = (
    "app.booths.plan.routes",
    "app.booths.booking.routes",
    "app.booths.ebooths.routes",
    "app.matching.sessions.routes",
    "app.matching.participation.routes",
    "app.matching.agenda.routes",
    "app.matching.outcomes.routes",
    "app.matching.forum.routes",
    "app.onsite.checkin_app.routes",
)


def register_blueprints(app: Flask) -> None:
    from app.accounts.routes import bp as accounts_bp
    from app.catalog.certificates.routes import bp as certificates_bp
    from app.catalog.imports.routes import bp as imports_bp
    from app.catalog.routes import bp as catalog_bp
    from app.events import routes as events_routes  # noqa: F401 - adds the organisers' pages to events_bp
    from app.events.blueprint import bp as events_bp
    from app.events.public.routes import bp as events_public_bp
    from app.events.registrations import routes as registration_routes  # noqa: F401 - adds its pages to events_bp

    for module in ROUTE_MODULES:
        importlib.import_module(module)  # adds its pages to its module's blueprint
    from app.api.webhooks.routes import bp as webhooks_bp
    from app.booths.blueprint import bp as booths_bp
    from app.demo.routes import bp as demo_bp
    from app.eventlog.routes import bp as eventlog_bp
    from app.followup.routes import bp as followup_bp
    from app.matching.blueprint import bp as matching_bp
    from app.onsite.badges.routes import bp as badges_bp
    from app.onsite.gate.routes import bp as gate_bp
    from app.onsite.leads.routes import bp as leads_bp
    from app.onsite.routes import bp as onsite_bp
    from app.onsite.walkins.routes import bp as walkins_bp
    from app.reports.dashboard.routes import bp as dashboard_bp
    from app.reports.exports.routes import bp as reports_exports_bp
    from app.reports.programme.routes import bp as programme_bp
    from app.reports.routes import bp as reports_bp
    from app.tasks.routes import bp as tasks_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(events_public_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(booths_bp)
    app.register_blueprint(matching_bp)
    app.register_blueprint(onsite_bp)
    app.register_blueprint(badges_bp)
    app.register_blueprint(gate_bp)
    app.register_blueprint(walkins_bp)
    app.register_blueprint(leads_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(eventlog_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(reports_exports_bp)
    app.register_blueprint(followup_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(programme_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(demo_bp)


def register_site_files(app: Flask) -> None:
    """/favicon.ico, which browsers ask for on their own (pages also declare the SVG icon)."""

    def favicon():  # public: anyone, signed in or not
        return app.send_static_file("favicon.ico")

    app.add_url_rule("/favicon.ico", "favicon", favicon)


def register_template_helpers(app: Flask) -> None:
    from app import names
    from app.data import vocab
    from app.data.provinces import province_label

    money = i18n.money
    number = i18n.number

    def date_(value, fmt: str = "medium") -> str:
        if value is None:
            return ""
        return format_date(value, fmt)

    def localdatetime(value, fmt: str = "short") -> str:
        """A UTC instant shown in Vietnam's time (BABEL_DEFAULT_TIMEZONE), in the reader's format."""
        if value is None:
            return ""
        return format_datetime(value, fmt)

    def duration(seconds) -> str:
        if seconds is None:
            return ""
        if seconds < 10:  # a short job: tenths of a second say more than 0:00
            return format_decimal(round(seconds, 1), format="0.0") + " s"
        seconds = round(seconds)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"

    def combine_page(args: dict, page: int) -> dict:
        return {**args, "page": page}

    app.jinja_env.filters.update(
        money=money,
        number=number,
        date=date_,
        localdatetime=localdatetime,
        when=i18n.when,  # a UTC instant on an event's wall clock, to the minute: |when(event.timezone)
        duration=duration,
        combine_page=combine_page,
        local_name=names.local_name,
        lang_text=names.lang_text,
    )
    app.jinja_env.globals.update(
        name_in=names.name_in,
        vocab=vocab,
        label=vocab.label,
        # Templates show a record's province with its current one beside it ("Bắc Giang — now
        # Bắc Ninh"): one helper for every page, under the name templates have always called.
        province_name=province_label,
        languages=Config.LANGUAGES,
        language_names={"vi": "Tiếng Việt", "en": "English", "fr": "Français"},
        time_range=i18n.time_range,
        zone_label=i18n.zone_label,
        colon=i18n.colon,
    )


def register_error_pages(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        return render_template("errors/error.html", code=code), code

    for code in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(code, render_error)

    from app.errors import PermissionDenied

    def forbidden(_error):
        # A service's refusal that no view turned into something else is the 403 page.
        return render_template("errors/error.html", code=403), 403

    app.register_error_handler(PermissionDenied, forbidden)


def register_api(app: Flask) -> None:
    """The JSON API under /api/v1 (after the error pages: its errors are problem+json) and the
    account page's API tokens."""
    from app.api import rest
    from app.api.routes import bp as api_tokens_bp

    app.register_blueprint(api_tokens_bp)
    rest.init_app(app)


def register_cli(app: Flask) -> None:
    from app.accounts.cli import accounts_cli
    from app.booths.booking.cli import booths_cli
    from app.demo.cli import demo_cli
    from app.matching.sessions.cli import matching_cli
    from app.notifications.cli import outbox_cli
    from app.scheduler import scheduler_cli

    app.cli.add_command(accounts_cli)
    app.cli.add_command(booths_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(matching_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(scheduler_cli)


def register_scheduler(app: Flask) -> None:
    """Time-driven jobs: the embedded scheduler starts here when SCHEDULER_ENABLED (DESIGN.md)."""
    from app.scheduler import init_scheduler

    init_scheduler(app)
