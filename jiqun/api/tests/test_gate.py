"""/api/v1/ honours the login gates of the pages and answers errors in the user's language.

English is chosen with the language cookie. Messages new in this change are compared with what gettext gives
for English, so the tests hold before and after the lead merges their translations.
"""

import datetime
import json

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone, translation

from jiqun.accounts.models import User
from jiqun.clusters.models import Cluster
from jiqun.conftest import client_for, token_client
from jiqun.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db

ADMINS = ["xitong", "anquan", "shenji"]
PROVINCE_TOO = {"system_admin", "security_admin", "audit_admin", "province_admin"}
NEW_CLUSTER = {"programme": "SD-2023-185", "code": "gate-x", "name": "闸门集群", "regions": ["370800"]}


def english(message: str) -> str:
    """The English text of a catalogue message."""
    with translation.override("en"):
        return translation.gettext(message)


def in_english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def password_only(username: str) -> Client:
    """A session that passed the password but not the TOTP step."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def expire_password(user: User) -> None:
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=91))


SECOND_FACTOR = "该角色须先在网页上输入动态验证码完成双因素认证，才能使用接口"
EXPIRED = "密码已过期：请先在网页上修改密码，再使用接口"


@pytest.mark.parametrize("username", ADMINS)
def test_it_refuses_an_admin_session_without_the_second_factor(username):
    response = password_only(username).get("/api/v1/regions")
    assert response.status_code == 403
    assert response.json() == {"detail": SECOND_FACTOR}


@pytest.mark.parametrize("username", ADMINS)
def test_it_answers_an_admin_session_once_the_code_is_confirmed(username):
    assert client_for(User.objects.get(username=username)).get("/api/v1/regions").status_code == 200


def test_it_refuses_the_second_factor_gate_in_english_with_the_cookie():
    response = in_english(password_only("xitong")).get("/api/v1/regions")
    assert response.status_code == 403 and response["Content-Language"] == "en"
    assert response.json() == {"detail": english(SECOND_FACTOR)}


@override_settings(TWO_FACTOR_ROLES=PROVINCE_TOO)
def test_it_refuses_an_unconfirmed_province_admin_when_policy_adds_the_role_and_writes_nothing():
    response = password_only("sheng").post("/api/v1/clusters", json.dumps(NEW_CLUSTER), content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"] == SECOND_FACTOR
    assert not Cluster.objects.filter(code="gate-x").exists()
    assert client_for(User.objects.get(username="sheng")).get("/api/v1/regions").status_code == 200


def test_business_roles_need_no_second_factor_on_the_api():
    assert password_only("jining").get("/api/v1/regions").status_code == 200


def test_it_refuses_an_expired_password_by_session_and_writes_nothing(jining_officer):
    client = client_for(jining_officer)
    expire_password(jining_officer)
    response = client.post("/api/v1/enterprises", json.dumps({"name": "过期企业", "region": "370811"}),
                           content_type="application/json")
    assert response.status_code == 403 and response.json() == {"detail": EXPIRED}
    assert not Enterprise.objects.filter(name="过期企业").exists()


def test_it_refuses_an_expired_password_by_token_and_writes_nothing(jining_officer):
    client = token_client(jining_officer)
    expire_password(jining_officer)
    response = client.post("/api/v1/enterprises", json.dumps({"name": "过期企业", "region": "370811"}),
                           content_type="application/json")
    assert response.status_code == 403 and response.json() == {"detail": EXPIRED}
    assert not Enterprise.objects.filter(name="过期企业").exists()
    assert in_english(client).get("/api/v1/regions").json() == {"detail": english(EXPIRED)}


# Docs ---------------------------------------------------------------------------------------------

def test_it_sends_an_anonymous_visitor_of_the_docs_to_the_login():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/api/v1/docs")


def test_it_sends_an_unconfirmed_admin_from_the_docs_to_the_second_factor():
    response = password_only("anquan").get("/api/v1/docs")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")


def test_the_docs_come_from_the_platform_under_the_csp(as_jining):
    response = as_jining.get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html and "/static/jiqun/api-docs.js" in html
    assert 'data-openapi-url="/api/v1/openapi.json"' in html
    assert "cdn" not in html.lower() and "http" not in html


# Errors in the user's language ------------------------------------------------------------------

NOT_FOUND = "未找到：对象不存在或不在您的范围内"
UNAUTHORISED = "未认证：请在请求头 Authorization: Bearer <令牌> 中提供有效的接口令牌，或先登录"
BAD_BODY = "请求体无法解析：须为有效的 JSON，编码 UTF-8"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_says_not_found_in_the_users_language(api_jining, language):
    api_jining.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):
        expected = translation.gettext(NOT_FOUND)
    for url in ("/api/v1/clusters/999999999", "/api/v1/programmes/NOPE", "/api/v1/no-such-endpoint"):
        response = api_jining.get(url)
        assert response.status_code == 404 and response["Content-Language"] == language
        assert response.json() == {"detail": expected}, url


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_says_unauthorised_in_the_users_language(language):
    client = Client(headers={"Authorization": "Bearer jq_nope"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/api/v1/clusters")
    assert response.status_code == 401
    with translation.override(language):
        assert response.json() == {"detail": translation.gettext(UNAUTHORISED)}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_refuses_bad_json_in_the_users_language_and_writes_nothing(api_jining, language):
    api_jining.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    count = Enterprise.objects.count()
    response = api_jining.post("/api/v1/enterprises", '{"name": "坏JSON企业", ', content_type="application/json")
    assert response.status_code == 400
    with translation.override(language):
        assert response.json() == {"detail": translation.gettext(BAD_BODY)}
    assert "Expecting" not in response.content.decode()  # nothing of the parser's own message
    assert Enterprise.objects.count() == count


def test_it_names_every_bad_field_in_chinese_and_writes_nothing(api_jining):
    count = Enterprise.objects.count()
    response = api_jining.post("/api/v1/enterprises", json.dumps({"name": ["列表"], "zone": "x"}),
                               content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("请求格式有误：")
    assert body["errors"] == {"payload.name": ["须为文本"], "payload.region": ["必填"], "payload.zone": ["须为整数"]}
    assert Enterprise.objects.count() == count


def test_it_names_bad_fields_in_english_with_the_cookie(api_jining):
    in_english(api_jining)
    response = api_jining.get("/api/v1/clusters?limit=x")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("Malformed request: ")
    assert body["errors"] == {"limit": [english("须为整数")]}


def test_it_refuses_an_out_of_range_id_in_chinese(api_jining):
    response = api_jining.get("/api/v1/clusters/0")
    assert response.status_code == 422 and response.json()["errors"] == {"cluster_id": ["须不小于 1"]}
