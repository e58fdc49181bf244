"""Personal API tokens: create (the secret is returned once), list, revoke, authenticate."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.api.models import TOKEN_SCOPES, ApiToken
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.extensions import db

TOKEN_PREFIX = "ocf_"  # noqa: S105 - the tokens' public marker, not a secret
MAX_ACTIVE_TOKENS = 20


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class NewToken:
    token: ApiToken
    secret: str  # the whole "ocf_<prefix>_<secret>", shown once and never stored


def events_for_scope(actor):
    """The events a token may be limited to: those the user organises, or took part in."""
    from app.events.models import Event, EventOrganiser, Registration

    query = select(Event).order_by(Event.starts_at.desc())
    if actor.role == "admin":
        return list(db.session.scalars(query.limit(200)))
    if actor.role == "organiser":
        query = query.join(EventOrganiser).where(EventOrganiser.user_id == actor.id)
    elif actor.organisation_id is not None:
        query = query.where(
            Event.id.in_(
                select(Registration.event_id).where(Registration.organisation_id == actor.organisation_id)
            )
        )
    else:
        return []
    return list(db.session.scalars(query))


def create_token(actor, *, name: str, scope: str, event_id: int | None = None) -> NewToken:
    """A new token for `actor`; the secret is in the result only."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_l("Give the token a name."), "name")
    if len(name) > 80:
        raise ServiceError(_l("The name is too long."), "name")
    if scope not in TOKEN_SCOPES:
        raise ServiceError(_l("Choose read or write."), "scope")
    if event_id is not None and event_id not in {event.id for event in events_for_scope(actor)}:
        raise ServiceError(_l("Choose one of your events."), "event_id")
    if len(tokens_of(actor)) >= MAX_ACTIVE_TOKENS:
        raise ServiceError(_l("You have too many tokens: revoke one first."))
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.id, name=name, scope=scope, event_id=event_id, prefix=prefix, secret_hash=_hash(secret)
    )
    db.session.add(token)
    db.session.flush()
    return NewToken(token, f"{TOKEN_PREFIX}{prefix}_{secret}")


def tokens_of(actor) -> list[ApiToken]:
    """The actor's tokens that still work, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def own_token(actor, token_id: int) -> ApiToken | None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        return None
    if token.user_id != actor.id:
        raise PermissionDenied
    return token


def revoke_token(actor, token: ApiToken) -> None:
    if token.user_id != actor.id:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def parse(presented: str | None) -> tuple[str, str] | None:
    """("prefix", "secret") from "ocf_<prefix>_<secret>", or None when it has not that shape."""
    if not presented or not presented.startswith(TOKEN_PREFIX) or len(presented) > 200:
        return None
    prefix, _, secret = presented[len(TOKEN_PREFIX) :].partition("_")
    if len(prefix) != 12 or not secret:
        return None
    return prefix, secret


def authenticate(presented: str | None) -> ApiToken | None:
    """The live token whose secret this is (of an active account), else None."""
    parts = parse(presented)
    if parts is None:
        return None
    prefix, secret = parts
    token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None or token.revoked_at is not None:
        return None
    if not hmac.compare_digest(token.secret_hash, _hash(secret)):
        return None
    if not token.user.is_active:
        return None
    token.last_used_at = utcnow()
    return token
