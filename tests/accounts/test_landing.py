"""After logging in, each person lands where its own work is: an organiser on its events."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("role", "landing"),
    [("organiser", "/manage/events/"), ("exhibitor", "/my/products"), ("buyer", "/my/demand")],
)
def test_each_role_lands_on_its_own_work_after_login(
    client, db, make_user, exhibitor, buyer_user, role, landing
):
    user = {"organiser": make_user(role="organiser"), "exhibitor": exhibitor, "buyer": buyer_user}[role]
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": "correct horse 42"})
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).headers["Location"] == landing
