"""Configuration classes. Values come from the environment (or a `.env` file)."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - a marker production refuses


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'ocopfair.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "vi"
    # The language of messages made outside a request (commands, scheduled jobs).
    NON_REQUEST_LOCALE = os.environ.get("NON_REQUEST_LOCALE", "vi")
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en", "fr")
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_PHOTO_BYTES = int(os.environ.get("MAX_PHOTO_BYTES", 5 * 1024 * 1024))
    MAX_IMPORT_BYTES = int(os.environ.get("MAX_IMPORT_BYTES", 10 * 1024 * 1024))
    # An import's data rows: a province keeps 500 to 5,000, the national catalogue ~17,000.
    MAX_IMPORT_ROWS = int(os.environ.get("MAX_IMPORT_ROWS", 20_000))
    # An XLSX unpacked (a zip bomb is refused before it is parsed); 20,000 rows are ~30 MB.
    MAX_IMPORT_UNCOMPRESSED_BYTES = int(os.environ.get("MAX_IMPORT_UNCOMPRESSED_BYTES", 50 * 1024 * 1024))
    # Werkzeug refuses bodies above this with 413 before any view runs.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024))
    PAGE_SIZE = int(os.environ.get("PAGE_SIZE", 24))
    # Seconds each process keeps the catalogue's filter figures (0: not kept); a change committed
    # in the process shows at once, one made by another process within this time.
    CATALOGUE_FACETS_TTL = float(os.environ.get("CATALOGUE_FACETS_TTL", 60))
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "ocopfair@localhost")
    SERVER_HOST = os.environ.get("SERVER_HOST", "127.0.0.1:5000")
    # The domain after "@" in calendar UIDs (programme-12@ocopfair.local): fixed, unlike SERVER_HOST,
    # whose host or port may change (a client that saw other UIDs would show every item twice).
    CALENDAR_UID_DOMAIN = os.environ.get("CALENDAR_UID_DOMAIN", "ocopfair.local")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # "Keep me logged in" (Flask-Login): a month, unreadable by scripts, not sent by other sites'
    # forms; its value carries the session version, so logging out or a new password ends it.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A password-reset link works this long (seconds), and once.
    PASSWORD_RESET_MAX_AGE = 3600
    WTF_CSRF_TIME_LIMIT = None
    # Strict-Transport-Security max-age (app/security_headers.py); 0 sends none. Only production
    # sets it: a browser that saw it refuses plain HTTP to the host for that long.
    HSTS_SECONDS = 0
    # The follow-up survey after a fair (app/followup): its two waves, in days after the event's
    # last day (an organiser can change them per event), the one reminder's delay after a wave,
    # and how long a survey link from the mail works.
    FOLLOWUP_WAVES_DAYS = (14, 90)
    # Webhooks may go over plain http to this machine (development, tests); production: public https only.
    WEBHOOKS_ALLOW_LOOPBACK = True
    FOLLOWUP_REMINDER_DAYS = 7
    FOLLOWUP_LINK_DAYS = 60
    DEMO_SEED = int(os.environ.get("DEMO_SEED", 2025))
    # The embedded scheduler runs inside the serving web process (`flask run`); only one
    # process per database runs it (app/scheduler.py takes a lock). Production keeps it off
    # and runs `flask scheduler run` as its own process instead.
    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", True)
    # The task queue (app/tasks/queue.py): Redis in production; unset, a folder under
    # instance/ that needs no server (the embedded default, `make run`).
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    TASKS_FOLDER = os.environ.get("TASKS_FOLDER", str(INSTANCE_DIR / "tasks"))
    # Exports of an event's records (app/reports/exports): one of more rows than this runs as a
    # background job, whose file is kept in EXPORTS_FOLDER for a day (an hourly clock step removes it).
    # How long each process keeps a dashboard's figures (app/reports/cache.py); 0: not at all.
    REPORTS_CACHE_SECONDS = int(os.environ.get("REPORTS_CACHE_SECONDS", 60))
    EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", 5000))
    # An XLSX takes about ten times as long to write as a CSV: its own limit.
    EXPORT_INLINE_MAX_XLSX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_XLSX_ROWS", 1000))
    EXPORTS_FOLDER = os.environ.get("EXPORTS_FOLDER", str(INSTANCE_DIR / "exports"))
    # On Redis, a message a worker took and never acknowledged (the worker died) goes back on
    # the queue after this many seconds: longer than the longest job (a national matching).
    TASKS_VISIBILITY_TIMEOUT = int(os.environ.get("TASKS_VISIBILITY_TIMEOUT", 4 * 3600))
    # Rate limits (Flask-Limiter, app/ratelimit.py): their counters live in Redis when the app has
    # one (RATELIMIT_STORAGE_URI, else a redis:// CELERY_BROKER_URL), in this process's memory otherwise.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI")
    RATELIMIT_KEY_PREFIX = "ocopfair"
    # How many proxies in front of the app set X-Forwarded-For (gunicorn behind nginx: 1); the
    # client address, which rate limits and the audit trail use, is read from that header.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
    # Failed logins from one client address (any accounts), and sign-ups from one address.
    LOGIN_ADDRESS_LIMIT = os.environ.get("LOGIN_ADDRESS_LIMIT", "20 per 10 minutes; 100 per day")
    SIGNUP_ADDRESS_LIMIT = os.environ.get("SIGNUP_ADDRESS_LIMIT", "10 per hour; 30 per day")
    PASSWORD_RESET_ADDRESS_LIMIT = os.environ.get("PASSWORD_RESET_ADDRESS_LIMIT", "5 per hour; 20 per day")
    # Failed logins for one e-mail address, whether or not an account has it (app/accounts/throttling.py):
    # from the LOGIN_DELAY_AFTER-th failure on, each next attempt waits LOGIN_DELAY_SECONDS, doubled at
    # each failure; the LOGIN_LOCK_AFTER-th failure locks the e-mail out for LOGIN_LOCK_SECONDS. Failures
    # are forgotten LOGIN_FAILURE_WINDOW seconds after the first one, and at a successful login.
    LOGIN_DELAY_AFTER = int(os.environ.get("LOGIN_DELAY_AFTER", 3))
    LOGIN_DELAY_SECONDS = int(os.environ.get("LOGIN_DELAY_SECONDS", 2))
    LOGIN_LOCK_AFTER = int(os.environ.get("LOGIN_LOCK_AFTER", 6))
    LOGIN_LOCK_SECONDS = int(os.environ.get("LOGIN_LOCK_SECONDS", 5 * 60))
    LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", 60 * 60))

    @classmethod
    def validate(cls) -> dict:
        """Refuse settings that would be unsafe; overridden per environment.

        Returns the values read now (from the environment) that the app's config takes on
        top of the class's; the class itself is never changed.
        """
        return {}


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    # No figure cache (app/reports/cache.py): each test's database starts again from the same ids.
    REPORTS_CACHE_SECONDS = 0
    # Services called directly by tests raise their messages in the source language (English);
    # pages are tested in each language through real requests.
    NON_REQUEST_LOCALE = "en"
    SECRET_KEY = "testing-secret"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    MAIL_SERVER = None
    SERVER_NAME = None
    SCHEDULER_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"  # emptied before each test (tests/conftest.py)


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)  # only over HTTPS, as the session
    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", False)
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 3600))
    WEBHOOKS_ALLOW_LOOPBACK = False

    @classmethod
    def validate(cls) -> dict:
        secret = os.environ.get("SECRET_KEY", "")
        if not secret or secret == DEV_SECRET or len(secret) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (for example: python -c 'import secrets; "
                "print(secrets.token_hex(32))')"
            )
        broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
        if not broker.startswith(("redis://", "rediss://")):
            raise RuntimeError(
                "CELERY_BROKER_URL (or REDIS_URL) must be a Redis URL in production, "
                "e.g. redis://127.0.0.1:6379/0: the web, worker and clock processes share that queue"
            )
        checked = {"SECRET_KEY": secret, "CELERY_BROKER_URL": broker}
        if storage := os.environ.get("RATELIMIT_STORAGE_URI"):  # else the broker's Redis (app/ratelimit.py)
            checked["RATELIMIT_STORAGE_URI"] = storage
        return checked


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
