"""No page runs inline script, so the CSP allows scripts only from the platform's own files.

Each persona walks every kind of page of the demo it can reach from the home page (links and htmx
requests; one URL per pattern, numbers folded), and every HTML answer is parsed: no <script> without src,
no <style> element, no on* or hx-on* attribute, no javascript: URL, and the CSP header refuses inline script.
"""

import re
from collections import deque
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path
from django.utils import translation

from jiqun.accounts.models import User
from jiqun.cli import serve_debug
from jiqun.conftest import PASSWORD, client_for
from jiqun.core.management.commands.serve import static_serving

pytestmark = pytest.mark.django_db

PERSONAS = ["sheng", "jinan", "jining", "rencheng", "jiqun_org", "qiye", "zhuanjia", "lingdao",
            "xitong", "anquan", "shenji"]
# Leaving is not a page; files are not HTML; setlang only answers POST.
SKIP = re.compile(r"/logout/|/i18n/|\.(xlsx|pdf|csv|zip)$|/evidence/")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "hx-get", "hx-post", "data"}


class InlineCode(HTMLParser):
    """Collect the inline code of a page, and its links and htmx GETs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.links: list[tuple[str, bool]] = []
        self._script_open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "script":
            if not attributes.get("src"):
                self.found.append("<script> without src")
            self._script_open = True
        if tag == "style":
            self.found.append("<style> element")
        if tag == "a" and attributes.get("href"):
            self.links.append((attributes["href"], False))
        if attributes.get("hx-get"):
            self.links.append((attributes["hx-get"], True))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_open = False

    def handle_data(self, data: str) -> None:
        if self._script_open and data.strip():
            self.found.append("<script> with a body")


def directives(policy: str) -> dict[str, list[str]]:
    """The CSP as {directive: sources}."""
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def pattern(url: str) -> str:
    """One key per kind of page: numbers folded; a filtered or sorted list counts once, whatever its query."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + ("?" if parts.query else "")


def crawl(client: Client, start: str) -> dict[str, list[str]]:
    """Visit every kind of same-site page reachable from `start`; return {url: problems} and assert each answer."""
    problems: dict[str, list[str]] = {}
    seen = {pattern(start)}
    queue = deque([(start, False)])
    while queue:
        url, htmx = queue.popleft()
        response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
        if response.status_code in (301, 302):
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        policy = directives(response["Content-Security-Policy"])
        script_sources = policy.get("script-src", policy.get("default-src"))
        if "'unsafe-inline'" in script_sources or "'unsafe-eval'" in script_sources:
            problems.setdefault(url, []).append("script-src allows inline code")
        parser = InlineCode()
        parser.feed(response.content.decode())
        if parser.found:
            problems.setdefault(url, []).extend(parser.found)
        for href, is_htmx in parser.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc or parts.scheme or not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            key = pattern(target) + ("#htmx" if is_htmx else "")
            if key not in seen:
                seen.add(key)
                queue.append((target, is_htmx))
    problems["__visited__"] = sorted(seen)
    return problems


@pytest.mark.parametrize("username", PERSONAS)
def test_no_page_a_persona_reaches_carries_inline_script(username):
    client = client_for(User.objects.get(username=username))
    result = crawl(client, "/")
    visited = result.pop("__visited__")
    assert len(visited) > 3, visited
    assert result == {}


def test_no_page_before_login_carries_inline_script():
    result = crawl(Client(), "/accounts/login/")
    result.pop("__visited__")
    assert result == {}


@pytest.mark.parametrize("url", ["/", "/no-such-page/", "/api/v1/docs", "/accounts/login/", "/static/jiqun/app.css"])
def test_the_csp_refuses_inline_script_and_style_elements(as_jining, url):
    policy = directives(as_jining.get(url)["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["default-src"]


def test_the_crawler_sees_inline_code():
    parser = InlineCode()
    parser.feed('<a href="javascript:x()">x</a><div onclick="y()" hx-on:click="z()"></div><script>1</script>'
                '<style>a{}</style><script src="/static/x.js"></script>')
    assert parser.found == ["<a href=javascript:…>", "<div onclick=…>", "<div hx-on:click=…>",
                            "<script> without src", "<script> with a body", "<style> element"]



# The platform's own error pages, in the user's language ----------------------------------------------

def boom(request):
    raise RuntimeError("secret-internal-detail /srv/jiqun/settings.py")


def refuse(request):
    raise PermissionDenied


def refuse_saying_why(request):
    raise PermissionDenied(translation.gettext("只有省级管理员可以调整目标"))  # as jiqun/targets/services.py says it


# This module is also the URLconf of the tests below (pytest.mark.urls): real pages plus three that fail.
urlpatterns = [
    path("boom/", boom),
    path("refuse/", refuse),
    path("refuse-saying-why/", refuse_saying_why),
    path("", include("jiqun.config.urls")),
]
handler400 = "jiqun.core.errors.bad_request"
handler403 = "jiqun.core.errors.permission_denied"
handler404 = "jiqun.core.errors.page_not_found"
handler500 = "jiqun.core.errors.server_error"

ERROR_PAGES = [
    # url, host, status, the message the page must show
    ("/no-such-page/", "testserver", 404, "您访问的页面不存在，或该对象不在您的可见范围内。"),
    ("/refuse/", "testserver", 403, "您无权访问该页面或执行该操作。如需权限，请联系本单位管理员。"),
    ("/refuse-saying-why/", "testserver", 403, "只有省级管理员可以调整目标"),
    ("/boom/", "testserver", 500, "系统处理请求时出错，已记录。请稍后重试；如持续出现，请联系系统管理员。"),
    ("/", "evil.example", 400, "服务器无法处理该请求：请求格式有误或参数无效。请返回后重试。"),
]


def error_page(language: str, url: str, host: str) -> HttpResponse:
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url, headers={"host": host})


@pytest.mark.urls("jiqun.core.tests.test_gate_csp")
@pytest.mark.parametrize("url, host, status, message", ERROR_PAGES)
def test_error_pages_are_the_platforms_own_in_chinese(url, host, status, message):
    response = error_page("zh-hans", url, host)
    html = response.content.decode()
    assert response.status_code == status
    assert '<html lang="zh-hans">' in html and "集群培育平台" in html and message in html
    assert "secret-internal-detail" not in html and "Traceback" not in html and "DEBUG" not in html


@pytest.mark.urls("jiqun.core.tests.test_gate_csp")
@pytest.mark.parametrize("url, host, status, message", ERROR_PAGES)
def test_error_pages_follow_the_english_cookie(url, host, status, message):
    response = error_page("en", url, host)
    html = response.content.decode()
    assert response.status_code == status and response["Content-Language"] == "en"
    assert '<html lang="en">' in html and "Cluster Cultivation Platform" in html and ">Home<" in html
    with translation.override("en"):
        assert translation.gettext(message) in html
    assert "secret-internal-detail" not in html and "Traceback" not in html


@pytest.mark.urls("jiqun.core.tests.test_gate_csp")
def test_a_server_error_under_the_api_is_json_without_details():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.json() == {"detail": "未找到：对象不存在或不在您的范围内"}


def test_a_form_without_its_csrf_token_gets_the_platforms_page():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "jining", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 403 and "请求已失效（403）" in html and "Forbidden" not in html


# Password rules in the user's language ----------------------------------------------------------------

@pytest.mark.parametrize("password, message, params", [
    ("Short1!", "密码太短：至少须有 %(min_length)d 个字符", {"min_length": 10}),
    ("alllowercaseletters", "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类", {}),
])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_password_rules_refuse_in_the_users_language_and_change_nothing(
    jining_officer, password, message, params, language
):
    client = client_for(jining_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": password, "new_password2": password,
    })
    assert response.status_code == 200
    with translation.override(language):
        expected = translation.gettext(message) % params if params else translation.gettext(message)
    assert expected in html_text(response)
    if language == "zh-hans":
        assert "This password" not in html_text(response)
    jining_officer.refresh_from_db()
    assert jining_officer.check_password(PASSWORD)


def test_djangos_own_password_messages_are_chinese_by_default():
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            password_validation.validate_password("1234567890")
    assert refused.value.messages == ["这个密码太常见了。", "密码只包含数字。",
                                      "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类"]
    with translation.override("zh-hans"):
        assert "至少须有 10 个字符" in " ".join(password_validation.password_validators_help_texts())


def html_text(response: HttpResponse) -> str:
    """The page with its HTML entities decoded, as a reader sees it."""
    return unescape(response.content.decode())



# make run / jiqun serve: as users see it -----------------------------------------------------------------

def test_jiqun_serve_runs_with_debug_off_unless_asked():
    assert serve_debug([]) == "0" and serve_debug(["0.0.0.0:8000", "--production"]) == "0"
    assert serve_debug(["--debug"]) == "1" and serve_debug(["127.0.0.1:8000", "--debug"]) == "1"


def test_the_server_serves_the_static_files_with_debug_off(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    application = static_serving(get_wsgi_application())
    answers: list[str] = []
    for url in ("/static/jiqun/app.js", "/static/vendor/swagger-ui/swagger-ui-bundle.js"):
        environ = {"PATH_INFO": url, "REQUEST_METHOD": "GET"}
        setup_testing_defaults(environ)
        body = b"".join(application(environ, lambda status, headers: answers.append(status)))
        assert body
    assert answers == ["200 OK", "200 OK"]
