import os
import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from jiqun.accounts.models import Role, User
from jiqun.accounts.services import user_create
from jiqun.audit.models import AuditEvent
from jiqun.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_is_audited_with_success_and_failure(client):
    login(client, "jining", "wrong-password")
    assert login(client, "jining", PASSWORD).status_code == 302
    actions = list(AuditEvent.objects.filter(actor_name="jining").values_list("action", flat=True)[:2])
    assert actions == ["login", "login_failed"]


def test_failed_login_says_so_in_chinese(client):
    page = login(client, "jining", "wrong-password").content.decode()
    assert "用户名或密码错误" in page


def test_five_failures_lock_the_username_not_the_office(client):
    for _ in range(5):
        login(client, "jinan", "wrong-password")
    locked = login(client, "jinan", PASSWORD)
    assert locked.status_code == 429 and "临时锁定" in locked.content.decode()
    # Another user behind the same address still gets in.
    assert login(Client(), "jining", PASSWORD).status_code == 302


@pytest.mark.parametrize("password, reason", [
    ("short1A!", "10"),
    ("alllowercaseletters", "至少三类"),
    ("12345678901234", "只包含数字"),
])
def test_weak_passwords_are_refused(password, reason):
    with pytest.raises(ValidationError) as info:
        user_create(actor=None, username="weak", password=password, role=Role.CITY_OFFICER)
    assert reason in " ".join(info.value.messages)
    assert not User.objects.filter(username="weak").exists()


def test_an_expired_password_must_be_changed_first(jining_officer):
    import datetime

    from django.utils import timezone

    jining_officer.password_changed_at = timezone.now() - datetime.timedelta(days=91)
    jining_officer.save()
    response = client_for(jining_officer).get("/clusters/")
    assert response.status_code == 302 and "/accounts/password/?expired=1" in response["Location"]


def test_pages_carry_security_headers(as_jining):
    response = as_jining.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"


@override_settings(LANGUAGE_CODE="zh-hans")
def test_admin_roles_are_separated():
    clients = {name: client_for(User.objects.get(username=name)) for name in ("xitong", "anquan", "shenji", "sheng")}
    assert clients["xitong"].get("/admin/accounts/user/").status_code == 200
    assert clients["xitong"].get("/admin/audit/auditevent/").status_code == 403
    assert clients["shenji"].get("/admin/audit/auditevent/").status_code == 200
    assert clients["shenji"].get("/admin/accounts/user/").status_code == 403
    assert clients["sheng"].get("/admin/accounts/user/").status_code == 403
    assert clients["sheng"].get("/admin/clusters/cluster/").status_code == 200


def test_production_settings_pass_check_deploy():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**env, "DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x" * 30 + "production-secret-key-0123456789",
           "DJANGO_ALLOWED_HOSTS": "jiqun.example.gov.cn"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            capture_output=True, text=True, env=env, cwd=os.path.dirname(os.path.dirname(os.path.dirname(
                                os.path.dirname(os.path.abspath(__file__))))))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
