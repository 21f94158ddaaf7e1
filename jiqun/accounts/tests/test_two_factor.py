"""Administrator roles confirm each session with a TOTP code (等保 2.0 level 3: two factors on admin roles)."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def test_an_admin_role_sets_up_a_device_before_any_page_and_then_gets_in():
    client = signed_in("shenji")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")
    page = client.get(response["Location"]).content.decode()
    device = TOTPDevice.objects.get(user__username="shenji")
    assert not device.confirmed and "密钥" in page and "otpauth://totp/" in page

    wrong = client.post("/accounts/2fa/", {"code": "000000" if code_of(device) != "000000" else "111111", "next": "/"})
    assert "不正确或已过期" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="login_failed", object_repr__contains="动态验证码错误").exists()

    device.throttling_failure_count = 0  # the failure above throttles the next try for a second
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post("/accounts/2fa/", {"code": code_of(device), "next": "/"})
    assert right.status_code == 302 and right["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed and client.get("/").status_code == 200


def test_the_next_session_asks_for_a_code_without_showing_the_secret_again():
    device = TOTPDevice.objects.create(user=User.objects.get(username="xitong"), name="验证器", confirmed=True)
    client = signed_in("xitong")
    page = client.get("/accounts/2fa/").content.decode()
    assert "密钥" not in page and "6 位数字" in page
    assert client.post("/accounts/2fa/", {"code": "abc"}).status_code == 200
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    assert client.post("/accounts/2fa/", {"code": code_of(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_an_offsite_next_is_not_followed():
    device = TOTPDevice.objects.create(user=User.objects.get(username="anquan"), name="验证器", confirmed=True)
    client = signed_in("anquan")
    response = client.post("/accounts/2fa/", {"code": code_of(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_business_roles_are_not_asked(as_province, as_jining):
    assert as_province.get("/").status_code == 200 and as_jining.get("/").status_code == 200
