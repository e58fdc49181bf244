"""Sign up, log in, log out, change password, roles and CSRF."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import create_app
from app.accounts.models import User
from app.catalog.models import Organisation
from config import ProductionConfig
from tests.conftest import text_of
from tests.pages import field_error

SIGNUP = {
    "role": "exhibitor",
    "full_name": "Nguyễn Thị Lan",
    "email": "lan@htx-haiha.vn",
    "password": "tra-xanh-2025",
    "confirm": "tra-xanh-2025",
    "organisation_name": "HTX Chè Đường Hoa",
    "producer_kind": "cooperative",
    "province_code": "22",
}


def test_a_producer_signs_up_with_its_organisation_and_is_logged_in(client, db):
    response = client.post("/signup", data=SIGNUP)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "lan@htx-haiha.vn"))
    assert user.role == "exhibitor"
    assert user.organisation.name == "HTX Chè Đường Hoa"
    assert user.organisation.role == "producer"
    assert user.password_hash != "tra-xanh-2025" and user.check_password("tra-xanh-2025")
    assert client.get("/my/products").status_code == 200


def test_signing_up_twice_with_one_email_is_refused_next_to_the_field(client, db, html):
    client.post("/signup", data=SIGNUP)
    client.post("/logout")
    again = SIGNUP | {"email": "LAN@htx-haiha.vn", "organisation_name": "Another"}
    response = client.post("/signup?lang=en", data=again)
    assert response.status_code == 200
    page = html(response)
    assert field_error(page, "email") == "An account with this e-mail already exists."
    assert (
        page.find("input", attrs={"name": "organisation_name"})["value"] == "Another"
    )  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    # nothing half-written: the second organisation was rolled back too
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_a_buyer_must_say_which_type_of_buyer_it_is(client, db):
    data = SIGNUP | {"role": "buyer", "email": "mua@coop.vn", "buyer_type": ""}
    response = client.post("/signup", data=data)
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_wrong_password_is_refused_with_a_message(client, exhibitor, html):
    response = client.post("/login?lang=en", data={"email": exhibitor.email, "password": "wrong-pass"})
    assert response.status_code == 200
    assert field_error(html(response), "password") == "Wrong e-mail or password."
    assert client.get("/my/products").status_code == 302  # still logged out


def test_login_then_logout(client, exhibitor, login):
    login(exhibitor)
    assert client.get("/my/products").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/my/products").status_code == 302


def test_login_does_not_redirect_to_another_site(client, exhibitor):
    response = client.post(
        "/login?next=https://evil.example/", data={"email": exhibitor.email, "password": "correct horse 42"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_changing_password_needs_the_current_one(client, exhibitor, login, db):
    login(exhibitor)
    bad = client.post(
        "/account/password",
        data={"current_password": "nope", "new_password": "moi-mat-khau-1", "confirm": "moi-mat-khau-1"},
    )
    assert bad.status_code == 200
    good = client.post(
        "/account/password",
        data={
            "current_password": "correct horse 42",
            "new_password": "moi-mat-khau-1",
            "confirm": "moi-mat-khau-1",
        },
    )
    assert good.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, exhibitor.id).check_password("moi-mat-khau-1")


@pytest.mark.parametrize(
    "path", ["/my/products", "/my/products/new", "/my/demand", "/organisations", "/import/"]
)
def test_pages_for_a_role_send_anonymous_visitors_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_each_role_is_refused_the_other_roles_pages(client, exhibitor, buyer_user, organiser, login):
    login(exhibitor)
    assert client.get("/my/demand").status_code == 403
    assert client.get("/organisations").status_code == 403
    assert client.get("/import/").status_code == 403
    client.post("/logout")
    login(buyer_user)
    assert client.get("/my/products").status_code == 403
    assert client.get("/my/products/new").status_code == 403
    assert client.get("/organisations").status_code == 403
    client.post("/logout")
    login(organiser)
    assert client.get("/organisations").status_code == 200
    assert client.get("/my/products").status_code == 403


def test_forms_refuse_a_post_without_csrf_token(tmp_path):
    app = create_app(
        "testing",
        WTF_CSRF_ENABLED=True,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'csrf.sqlite'}",
        UPLOAD_FOLDER=str(tmp_path),
    )
    client = app.test_client()
    response = client.post("/login", data={"email": "a@b.vn", "password": "whatever1"})
    assert response.status_code == 400


@pytest.fixture()
def redis_broker(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, redis_broker):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    assert create_app("production").config["SECRET_KEY"] == "x" * 48


def test_production_refuses_to_start_without_a_redis_broker(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(RuntimeError, match="CELERY_BROKER_URL") as refused:
        create_app("production")  # not the embedded folder queue: it can't be shared by hosts
    assert "\n" not in str(refused.value)
    monkeypatch.setenv("CELERY_BROKER_URL", "filesystem://")
    with pytest.raises(RuntimeError, match="must be a Redis URL"):
        create_app("production")
    monkeypatch.delenv("CELERY_BROKER_URL")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert create_app("production").config["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/3"


def test_checking_the_production_settings_leaves_the_config_class_as_it_was(monkeypatch, redis_broker):
    before = ProductionConfig.SECRET_KEY
    monkeypatch.setenv("SECRET_KEY", "y" * 48)
    app = create_app("production")
    assert app.config["SECRET_KEY"] == "y" * 48
    assert before == ProductionConfig.SECRET_KEY
    assert "SECRET_KEY" not in vars(ProductionConfig)


def test_the_language_switch_changes_the_interface_language(client, db, html):
    client.get("/lang/en")
    english = html(client.get("/login"))
    client.get("/lang/fr")
    french = html(client.get("/login"))
    assert english.html["lang"] == "en" and french.html["lang"] == "fr"
    assert text_of(english.select_one("main h1")) == "Log in"
    assert text_of(french.select_one("main h1")) != "Log in"  # the page itself, not only its tag


def test_form_field_errors_speak_the_interface_language(client, db, html):
    vietnamese = html(client.post("/login?lang=vi", data={"email": "khong-phai-email", "password": ""}))
    french = html(client.post("/login?lang=fr", data={"email": "pas-un-email", "password": ""}))
    assert "Địa chỉ e-mail không hợp lệ." in field_error(vietnamese, "email")
    assert "Trường này là bắt buộc." in field_error(vietnamese, "password")
    assert "Ce champ est obligatoire." in field_error(french, "password")


def test_an_admin_makes_an_organiser_and_deactivates_an_account(client, make_user, login, db, html):
    admin = make_user(role="admin")
    newcomer = make_user(role="buyer", full_name="Trần Văn Bình")
    db.session.commit()
    login(admin)
    listing = html(client.get("/admin/users?q=bình"))
    assert [text_of(row.td) for row in listing.select("main table tbody tr")] == ["Trần Văn Bình"]
    assert client.post(f"/admin/users/{newcomer.id}", data={"role": "organiser"}).status_code == 302
    assert client.post(f"/admin/users/{newcomer.id}", data={"active": "0"}).status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, newcomer.id)
    assert changed.role == "organiser" and not changed.is_active_account
    client.post("/logout")
    refused = client.post("/login", data={"email": newcomer.email, "password": "correct horse 42"})
    assert refused.status_code == 200  # a deactivated account can't log in


def test_only_admins_manage_accounts(client, organiser, exhibitor, login, db):
    for user in (organiser, exhibitor):
        login(user)
        assert client.get("/admin/users").status_code == 403
        assert client.post(f"/admin/users/{user.id}", data={"role": "admin"}).status_code == 403
        client.post("/logout")
    db.session.expire_all()
    assert db.session.get(User, organiser.id).role == "organiser"
