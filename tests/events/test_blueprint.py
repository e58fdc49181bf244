"""The events blueprint turns a service's PermissionDenied that no view caught into the 403 page."""

from __future__ import annotations

from app.errors import PermissionDenied
from app.events import services


def test_an_uncaught_permission_denied_is_the_403_page(client, login, organiser, monkeypatch):
    def refuse(actor):
        raise PermissionDenied

    monkeypatch.setattr(services, "events_managed_by", refuse)
    login(organiser)

    response = client.get("/manage/events/")

    assert response.status_code == 403
