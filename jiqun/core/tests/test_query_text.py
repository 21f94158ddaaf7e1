"""The text rule on query strings: a control character in a page's parameter is a 400 naming the parameter.

PostgreSQL refuses NUL outright, so before this rule `/enterprises/carriers/?level=a%00b` was a server error there.
"""

import pytest
from django.utils import translation

from jiqun.accounts.models import User
from jiqun.conftest import client_for

pytestmark = pytest.mark.django_db

PAGES = ["/clusters/", "/enterprises/", "/enterprises/carriers/", "/targets/", "/targets/tasks/", "/monitoring/",
         "/regions/", "/programmes/", "/clusters/proposals/", "/targets/checklists/", "/monitoring/indicators/"]
PARAMS = ["q", "status", "level", "tier", "programme", "city", "subject", "state", "kind", "year", "as_of"]


def test_every_list_page_refuses_a_control_character_in_any_parameter_naming_it():
    client = client_for(User.objects.get(username="sheng"))
    for page in PAGES:
        for param in PARAMS:
            response = client.get(page, {param: "a\x00b"})
            assert response.status_code == 400, (page, param)
            assert f"查询参数“{param}”含有不允许的控制字符 U+0000（第 2 个字符）" in response.content.decode(), (page, param)


def test_a_control_character_in_a_parameter_name_is_refused_too():
    client = client_for(User.objects.get(username="jining"))
    response = client.get("/clusters/?q%1b=x")
    assert response.status_code == 400 and "查询参数“q?”含有不允许的控制字符 U+001B" in response.content.decode()


def test_it_says_so_in_english_when_english_is_chosen():
    client = client_for(User.objects.get(username="jining"))
    client.cookies["django_language"] = "en"
    response = client.get("/clusters/", {"q": "\x7f"})
    with translation.override("en"):
        expected = translation.gettext("查询参数“%(name)s”") % {"name": "q"}
    assert response.status_code == 400 and expected in response.content.decode()


def test_the_api_keeps_its_own_422_for_the_same_rule():
    client = client_for(User.objects.get(username="sheng"))
    assert client.get("/api/v1/clusters", {"q": "a\x00b"}).status_code == 422


def test_ordinary_parameters_pass():
    client = client_for(User.objects.get(username="jining"))
    assert client.get("/clusters/", {"q": "济宁\t新材料"}).status_code == 200
