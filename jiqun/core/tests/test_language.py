"""The UI is Chinese unless the user picks English with the switcher in the top bar.

The switcher posts to Django's ``set_language`` (``/i18n/setlang/``), which stores the choice in the
language cookie; ``LanguageMiddleware`` reads only that cookie and ignores the browser's Accept-Language.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


def switch_to(client: Client, language: str, next_url: str = "/") -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302 and response.url == next_url


def page(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_it_is_chinese_by_default_even_for_an_english_browser(as_jinan):
    response = as_jinan.get("/", headers={"accept-language": "en-US,en;q=0.9"})
    html = response.content.decode()
    assert response["Content-Language"] == settings.LANGUAGE_CODE == "zh-hans"
    assert '<html lang="zh-hans">' in html
    assert "工作台" in html and "集群培育平台" in html
    assert "Dashboard" not in html


def test_it_offers_the_switcher_on_every_page(as_jinan):
    html = page(as_jinan, "/clusters/")
    assert f'action="{reverse("set_language")}"' in html
    assert '<option value="en"' in html and '<option value="zh-hans"' in html


def test_it_shows_english_after_switching(as_jinan):
    switch_to(as_jinan, "en")
    assert as_jinan.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    response = as_jinan.get("/")
    home = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in home
    assert "Dashboard" in home and "Visible clusters" in home and "Cluster Cultivation Platform" in home
    assert "工作台" not in home

    clusters = page(as_jinan, "/clusters/")
    assert (
        "Cluster register" in clusters and "Leading industry" in clusters and "Member enterprises" in clusters
    )
    assert "集群名录" not in clusters


def test_it_returns_to_chinese_when_switched_back(as_jinan):
    switch_to(as_jinan, "en", "/clusters/")
    assert "Cluster register" in page(as_jinan, "/clusters/")

    switch_to(as_jinan, "zh-hans", "/clusters/")
    clusters = page(as_jinan, "/clusters/", **{"accept-language": "en"})
    assert "集群名录" in clusters and "Cluster register" not in clusters
    assert "工作台" in page(as_jinan, "/")


def test_it_keeps_each_users_choice_apart(as_jinan, as_jining):
    switch_to(as_jinan, "en")
    assert "Dashboard" in page(as_jinan, "/")
    assert "工作台" in page(as_jining, "/")


def test_it_falls_back_to_chinese_for_an_unknown_cookie(as_jinan):
    as_jinan.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "工作台" in page(as_jinan, "/")


def test_it_shows_english_on_the_login_page_before_login():
    client = Client()
    switch_to(client, "en", "/accounts/login/")
    html = page(client, "/accounts/login/")
    assert "Log in" in html and "Username" in html and "Password" in html


def test_the_catalogue_is_complete_and_compiled():
    po = (LOCALE_DIR / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    untranslated = [e for e in entries if e.rstrip().endswith('msgstr ""')]
    assert untranslated == []
    assert "#, fuzzy" not in po
    assert (LOCALE_DIR / "django.mo").exists()


def test_translations_keep_their_placeholders():
    with translation.override("en"):
        assert translation.gettext("已新增集群“%(name)s”") % {"name": "X"} == "Cluster “X” added"
        assert (
            translation.gettext("第 %(n)s/%(total)s 页，共 %(rows)s 条") % {"n": 1, "total": 2, "rows": 30}
            == "Page 1 of 2 (30 in total)"
        )
