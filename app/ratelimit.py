"""Rate limits per client address (Flask-Limiter), for pages an attacker would hammer.

A page that takes guesses or costs something to answer (log in, sign up, ask for a
password reset) is limited per client address with the decorator below; the limit is a
setting, e.g. "20 per 10 minutes; 100 per day" (Flask-Limiter's notation), so deployments
and tests set their own:

```python
@bp.route("/password/forgot", methods=["GET", "POST"])
@limit_per_address("PASSWORD_RESET_ADDRESS_LIMIT")
def forgot_password(): ...
```

Only POSTs count. With `failures_only=True`, only the answers that are not a redirect count
(a login that fails re-renders its form): a fair's visitors, many behind one address, log in
freely. Past the limit the person gets a 429 page saying how long to wait.

Counters live in the app's Redis (`RATELIMIT_STORAGE_URI`, else a redis:// `CELERY_BROKER_URL`),
so every web process shares them; without Redis, in this process's memory (`make run`, tests).
Behind a proxy, set `TRUSTED_PROXIES` (how many set X-Forwarded-For), or every visitor would
share the proxy's address; the app then reads the client's from that header (Werkzeug's ProxyFix).
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, render_template
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded

from app.extensions import limiter


def _not_a_redirect(response) -> bool:
    return not 300 <= response.status_code < 400


def limit_per_address(setting: str, *, failures_only: bool = False):
    """Limit a view's POSTs per client address to the limit held in the setting `setting`."""
    return limiter.limit(
        lambda: current_app.config[setting],
        methods=["POST"],
        deduct_when=_not_a_redirect if failures_only else None,
    )


def storage_uri(config) -> str:
    """Where the counters live: the setting, else the app's Redis, else this process's memory."""
    if config.get("RATELIMIT_STORAGE_URI"):
        return config["RATELIMIT_STORAGE_URI"]
    broker = config.get("CELERY_BROKER_URL") or ""
    return broker if broker.startswith(("redis://", "rediss://")) else "memory://"


def minutes_left(seconds: float) -> int:
    """A wait told in whole minutes, rounded up (never 0)."""
    return max(1, math.ceil(seconds / 60))


def init_app(app: Flask) -> None:
    if proxies := app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config)
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def too_many(_error):
        current = limiter.current_limit
        wait = (current.window.reset_time - time.time()) if current is not None else 60
        message = ngettext(
            "Too many attempts from your address: try again in %(num)d minute.",
            "Too many attempts from your address: try again in %(num)d minutes.",
            minutes_left(wait),
        )
        return render_template("errors/error.html", code=429, message=message), 429
