"""The JSON API's machinery: flask-smorest's Api (OpenAPI 3.1 from the code), Bearer-token
authentication, a rate limit per token, and errors as RFC 9457 problem+json.

Every request under /api/v1 is authenticated by its `Authorization: Bearer <token>` header
only: the session cookie is ignored (the user is set from the token before Flask-Login would
read the cookie) and CSRF does not apply (no cookie, no ambient authority). Without the header
a request is anonymous and sees what an anonymous visitor of the pages sees; a header that
names no live token is a 401. Resources call the features' services; no rule lives here.
"""

from __future__ import annotations

import functools
import hashlib
from contextlib import contextmanager
from http import HTTPStatus

import marshmallow as ma
from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest import abort as smorest_abort
from flask_smorest.exceptions import NotModified
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from app.api import services
from app.errors import PermissionDenied, ServiceError
from app.extensions import csrf, limiter, login_manager

PREFIX = "/api/v1"
PROBLEM = "application/problem+json"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
_NO_TOKEN = object()


class ProblemParamSchema(ma.Schema):
    name = ma.fields.String(metadata={"description": "The field, e.g. `name` or `page`"})
    location = ma.fields.String(metadata={"description": "json, query or path"})
    reason = ma.fields.String()


class ProblemSchema(ma.Schema):
    """An error (RFC 9457), in the language of Accept-Language."""

    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    instance = ma.fields.String()
    invalid_params = ma.fields.List(ma.fields.Nested(ProblemParamSchema))


class Api(SmorestApi):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        """Errors are handled by `init_errors` below, for the API's paths only (pages keep theirs)."""

    def _register_responses(self):
        """flask-smorest's error responses, said to be application/problem+json."""
        for status in HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (RFC 9457 problem)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


class StrictParser(FlaskParser):
    """An unknown query parameter is refused (422, named) like an unknown body field; webargs
    would ignore it, and a misspelt filter would silently return everything."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": ma.RAISE}


class Blueprint(SmorestBlueprint):
    """A resource's blueprint: CSRF-exempt (tokens, no cookies) and limited per token."""

    ARGUMENTS_PARSER = StrictParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        csrf.exempt(self)
        limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_key)(self)


api = Api()


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def rate_key() -> str:
    """Each token has its own counter (by its hash: no lookup needed); no token, the address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()
    return "api-address:" + (request.remote_addr or "")


# ---------------------------------------------------------------- the acting user


def _authenticate() -> None:
    """Before every API request: the token's user becomes current_user; never the cookie's."""
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is None:
        g._login_user = login_manager.anonymous_user()
        return
    scheme, _sep, presented = header.partition(" ")
    token = services.authenticate(presented.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        g._login_user = login_manager.anonymous_user()
        g.api_token = _NO_TOKEN
        abort(401, _("The API token is missing, unknown or revoked."))
    g.api_token = token
    g._login_user = token.user


def actor():
    return g._login_user


def token():
    return g.get("api_token")


def require_user():
    """The token's user; a 401 for an anonymous request."""
    user = actor()
    if not user.is_authenticated:
        abort(401, _("This needs an API token: send “Authorization: Bearer <token>”."))
    return user


def require_write() -> None:
    """Writing needs a token with the write scope."""
    require_user()
    if not token().can_write:
        abort(403, _("This token may only read."))


def write_access(view):
    """Above @blp.arguments: a caller without a write token hears 401/403 before its body is read."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        require_write()
        return view(*args, **kwargs)

    return wrapped


def token_covers(event_id: int) -> bool:
    """The request's token (if any) may see event `event_id`'s private data."""
    current = token()
    return current in (None, _NO_TOKEN) or current.covers(event_id)


def require_event_scope(event_id: int) -> None:
    """A token limited to one event sees no other event's private data."""
    if not token_covers(event_id):
        abort(403, _("This token is limited to another event."))


def abort(status: int, detail: str | None = None, invalid_params: list | None = None, headers=None):
    smorest_abort(status, message=detail, errors=invalid_params, headers=headers)


@contextmanager
def service_call():
    """A rule a service enforces becomes a 422 naming its field (the transaction rolls back)."""
    try:
        yield
    except ServiceError as error:
        params = (
            [{"name": error.field, "location": "json", "reason": str(error.message)}] if error.field else None
        )
        abort(422, str(error.message), params)
    except PermissionDenied:
        abort(403)


# ---------------------------------------------------------------- problems


def _invalid_params(messages) -> list[dict]:
    """webargs' {location: {field: [messages]}} as a flat list, each message in the reader's language."""
    params = []

    def walk(location, prefix, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "_schema" and prefix:  # a nested object of the wrong type: name the field
                    walk(location, prefix, inner)
                else:
                    walk(location, f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list | tuple):
            for reason in value:
                if isinstance(reason, dict | list):
                    walk(location, prefix, reason)
                else:
                    params.append({"name": prefix, "location": location, "reason": _(str(reason))})
        else:
            params.append({"name": prefix, "location": location, "reason": _(str(value))})

    if isinstance(messages, dict):
        for location, fields in messages.items():
            if location in ("json", "query", "path", "headers", "form", "files", "cookies"):
                walk(location, "", fields)
            else:
                walk("json", str(location), fields)
    elif isinstance(messages, list):
        for item in messages:
            if isinstance(item, dict) and "reason" in item:
                params.append(item)
    return params


TITLES = {
    400: _l("The request is malformed."),
    401: _l("Authentication is needed."),
    403: _l("You may not do this."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    406: _l("This representation is not available."),
    409: _l("Conflict."),
    412: _l("The resource changed meanwhile."),
    413: _l("The request is too large."),
    415: _l("Send the body as application/json."),
    422: _l("Some fields are not valid."),
    428: _l("This request must be conditional."),
    429: _l("Too many requests: slow down."),
    500: _l("Something went wrong on our side."),
}

# marshmallow's fixed messages, listed so the extractor puts them in our catalogue.
MARSHMALLOW_MESSAGES = (
    _l("Unknown field."),
    _l("Missing data for required field."),
    _l("Not a valid integer."),
    _l("Not a valid string."),
    _l("Not a valid boolean."),
    _l("Field may not be null."),
    _l("Invalid input type."),
    _l("Invalid value."),
    _l("Shorter than minimum length 1."),
)


def problem(status: int, detail: str | None = None, invalid_params=None, headers=None):
    status = status if status in HTTPStatus._value2member_map_ else 500
    title = str(TITLES[status]) if status in TITLES else HTTPStatus(status).phrase
    body = {"type": "about:blank", "title": title, "status": status, "instance": request.path}
    if detail:
        body["detail"] = detail
    if invalid_params:
        body["invalid_params"] = invalid_params
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    response.headers["Content-Language"] = g.get("locale", "vi")
    response.headers["Vary"] = "Accept-Language, Authorization"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ocopfair"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def problem_for(error: HTTPException):
    data = getattr(error, "data", None) or {}
    detail = data.get("message")
    messages = data.get("errors") or data.get("messages")
    params = _invalid_params(messages) if messages else None
    if error.code == 422 and not detail:
        detail = _("Correct the fields named in invalid_params.")
    if error.code == 405:
        headers = (
            {"Allow": ", ".join(error.valid_methods or [])} if getattr(error, "valid_methods", None) else {}
        )
        return problem(405, detail, params, headers)
    if error.code == 400 and detail is None and params is None and error.description:
        detail = None  # Werkzeug's English description says nothing the title does not
    return problem(error.code or 500, detail, params, data.get("headers"))


def init_errors(app: Flask) -> None:
    """Problem+json for every error under /api/v1; the pages' handlers everywhere else."""
    spec = app.error_handler_spec[None]
    by_class = dict(spec[None])  # the pages' handlers by exception class

    def page_handler(error):
        for cls in type(error).__mro__:
            if cls in by_class:
                return by_class[cls]
        return None

    def either(previous):
        def handle(error):
            if is_api_request():
                if isinstance(error, NotModified):
                    return current_app.response_class(status=304)
                if isinstance(error, RateLimitExceeded):
                    return problem(429, _("Too many requests with this token: wait a little."))
                if isinstance(error, PermissionDenied):
                    return problem(403)
                if isinstance(error, HTTPException):
                    return problem_for(error)
                return problem(500)
            handler = previous or page_handler(error)
            if handler is not None:
                return handler(error)
            return error.get_response() if isinstance(error, HTTPException) else error

        return handle

    original = {code: dict(handlers) for code, handlers in spec.items()}
    for key in (400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 422, 428, 429, 500):
        exc_class, code = app._get_exc_class_and_code(key)
        app.register_error_handler(key, either(original.get(code, {}).get(exc_class)))
    for key in (PermissionDenied, RateLimitExceeded, HTTPException):
        exc_class, code = app._get_exc_class_and_code(key)
        app.register_error_handler(key, either(original.get(code, {}).get(exc_class)))


# ---------------------------------------------------------------- setup


def init_app(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "ocopfair API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_RATE_LIMIT", "600 per minute")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": (
                    "The ocopfair JSON API. Authenticate with a personal API token made on the account "
                    "page (/account/tokens): `Authorization: Bearer <token>`. Errors are RFC 9457 "
                    "problem+json in the language of Accept-Language (vi, en, fr). Lists are paged "
                    "(`page`, `per_page`; the Link header and `links` give the next and previous pages)."
                )
            },
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"bearer": []}, {}],
        },
    )
    api.init_app(app)
    csrf.exempt("api-docs")

    @app.before_request
    def authenticate_api_request():
        if is_api_request():
            _authenticate()

    @app.after_request
    def api_vary(response):
        if is_api_request():
            response.headers.add("Vary", "Authorization")
            response.headers.add("Vary", "Accept-Language")
            response.headers.setdefault("Cache-Control", "private, no-cache")
        return response

    from app.api.resources import (
        booths,
        catalog,
        events,
        jobs,
        meetings,
        outcomes,
        registrations,
        sessions,
    )

    for module in (events, catalog, registrations, meetings, outcomes, booths, sessions, jobs):
        api.register_blueprint(module.blp, url_prefix=PREFIX)

    from flask import Blueprint as FlaskBlueprint

    docs = FlaskBlueprint("api_docs_page", __name__)

    def docs_page():  # anyone: the operations and schemas of the OpenAPI document
        return render_template("api/docs.html", spec=api.spec.to_dict())

    docs.add_url_rule(PREFIX + "/docs", "docs", docs_page)
    app.register_blueprint(docs)
    init_errors(app)
