"""No page shows a Python dict or an internal code: target parameters, cluster kinds and indicators read in Chinese.

The codes are collected from the loaded catalogue and packs (every target's parameter values, every cluster
kind's code, every indicator's code), so a code added to a pack later is checked too. The pages are rendered
as the province admin, who sees every target, programme and cluster of the demo."""

import html
import re

import pytest
from django.urls import reverse

from jiqun.clusters.models import Cluster
from jiqun.programmes.models import ClusterKind, Indicator, Programme, Target

pytestmark = pytest.mark.django_db

TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]*>", re.S)


def internal_codes() -> set[str]:
    codes: set[str] = set()
    for params in Target.objects.values_list("params", flat=True):
        for value in (params or {}).values():
            if isinstance(value, str) and value.isascii():
                codes.add(value)
    codes.update(ClusterKind.objects.values_list("code", flat=True))
    codes.update(Indicator.objects.values_list("code", flat=True))
    return {c for c in codes if re.fullmatch(r"[a-z][a-z0-9_-]+", c)}


def visible_text(content: bytes) -> str:
    """What a reader sees: the page without tags, attributes, scripts and styles."""
    return html.unescape(TAGS.sub(" ", content.decode()))


def leaks(text: str, codes: set[str]) -> list[str]:
    found = ["{'"] if "{'" in text else []
    words = set(re.findall(r"(?<![A-Za-z0-9_.\-/])[a-z][a-z0-9_-]+(?![A-Za-z0-9_\-/])", text))
    return found + sorted(words & codes)


def crawl_urls() -> list[str]:
    urls = [reverse("targets:overview")]
    for programme in Programme.objects.all():
        urls += [reverse("programmes:detail", args=[programme.code]), reverse("targets:programme", args=[programme.code])]
    urls += [reverse("clusters:detail", args=[c.pk]) for c in Cluster.objects.all()]
    urls += [reverse("targets:subject", args=["province", "370000"]), reverse("targets:subject", args=["city", "370800"])]
    urls += [reverse("targets:subject", args=["cluster", c.pk]) for c in Cluster.objects.filter(programme__code="JN-2020-231")]
    for target in Target.objects.all():
        if target.subject_ref == "*":
            continue  # one page per subject: reached through the programme table's links below
        urls.append(reverse("targets:detail", args=[target.pk]))
    return urls


def test_it_shows_no_raw_codes_on_target_programme_and_cluster_pages(as_province) -> None:
    codes = internal_codes()
    assert {"innovation_community", "provincial_or_above", "operating_revenue", "world"} <= codes
    pages, seen, problems = crawl_urls(), set(), {}
    while pages:
        url = pages.pop()
        if url in seen:
            continue
        seen.add(url)
        response = as_province.get(url)
        assert response.status_code == 200, url
        body = response.content
        found = leaks(visible_text(body), codes)
        if found:
            problems[url] = found
        if "/targets/programme/" in url or "/targets/subject/" in url:  # every "each cluster/park" target page
            pages += [html.unescape(u) for u in re.findall(r'href="(/targets/\d+/\?[^"]+)"', body.decode())]
    assert not problems, problems


def test_the_check_catches_a_dict_and_a_code_but_not_chinese_text() -> None:
    codes = {"innovation_community", "world"}
    assert leaks("参数 {'tier': 'world'}", codes) == ["{'", "world"]
    assert leaks("创新载体名录没有“innovation_community”这一类别", codes) == ["innovation_community"]
    assert leaks("世界级先进制造业集群 SD-2023-185 docs/world.md", codes) == []
