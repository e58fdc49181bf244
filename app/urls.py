"""Links to pages, inside a request or outside one (mail written by a job or a command)."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    """An absolute link to `endpoint`: from the request inside one, else from SERVER_HOST."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    config = current_app.config
    scheme = config.get("PREFERRED_URL_SCHEME") or "http"
    adapter = current_app.url_map.bind(config["SERVER_HOST"], url_scheme=scheme)
    return adapter.build(endpoint, values, force_external=True)


def site_path(endpoint: str, **values) -> str:
    """A link to `endpoint` as a path (no host), inside a request or outside one: for links a
    job stores and a page shows later, which must work whatever host the site is reached by."""
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind(current_app.config["SERVER_HOST"])
    return adapter.build(endpoint, values)


def checkin_signature(event_id: int, code: str) -> str:
    """The check a meeting's QR code carries (`sig=` on its check-in link): the check-in app holds
    the day's checks and refuses, offline, a code whose check does not match (forged or altered).
    Here, not in app/onsite, so the agenda (app/matching) signs its codes without importing it."""
    import hashlib
    import hmac

    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"ocopfair-checkin:{event_id}:{''.join((code or '').split()).upper()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:12]
