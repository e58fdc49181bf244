"""API fixtures: a token for a user (made through the service, as the account page does) and its header."""

from __future__ import annotations

import pytest


@pytest.fixture()
def make_token(db):
    from app.api import services

    def build(user, scope="read", event=None, name="ERP"):
        new = services.create_token(user, name=name, scope=scope, event_id=event.id if event else None)
        db.session.commit()
        return new.secret

    return build


def bearer(secret: str, **extra) -> dict:
    return {"Authorization": f"Bearer {secret}", **extra}
