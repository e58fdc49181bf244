"""A ServiceError flashed by service_errors() stays plain text: a lazy message would come back
from the session cookie as Markup and be shown unescaped (organisation names are in messages)."""

from __future__ import annotations

from flask import get_flashed_messages, session
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.errors import ServiceError
from app.transaction import service_errors


def test_a_flashed_service_error_survives_the_session_cookie_as_plain_text(app, db):
    with app.test_request_context():
        with service_errors():
            raise ServiceError(_l("%(name)s already has a meeting in this slot.", name="<b>HTX</b>"))
        serializer = app.session_interface.get_signing_serializer(app)
        restored = serializer.loads(serializer.dumps(dict(session)))
        session.clear()
        session.update(restored)
        [(category, message)] = get_flashed_messages(with_categories=True)
    assert category == "danger"
    assert not isinstance(message, Markup)
    assert message.startswith("<b>HTX</b> ")  # in the default language (Vietnamese)
