"""The data-quality API (same choice and scoping as the page), and invalid parameters named on every channel
instead of a silent fallback to the defaults."""

import io

import pytest
from django.core.management import CommandError, call_command

from jiqun.conftest import client_for, token_client
from jiqun.monitoring.tests.test_quality import reports  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_the_api_scores_the_units_the_caller_sees_with_the_four_parts(reports, jining_officer,  # noqa: F811
                                                                        province_admin) -> None:
    period, rencheng, lixia = reports
    query = f"?programme={period.programme.code}&year=2025"
    rows = {r["name"]: r for r in token_client(province_admin).get(f"/api/v1/quality{query}").json()}
    assert rows["任城测试集群"]["score"] == "68.8" and rows["历下测试集群"]["score"] == "46.4"
    parts = rows["任城测试集群"]["parts"]
    assert set(parts) == {"completeness", "timeliness", "explained", "corrections"}
    assert "逾期" in parts["timeliness"]["reason"] and parts["corrections"]["value"] == "0.75"
    city = token_client(jining_officer).get(f"/api/v1/quality{query}").json()
    assert [r["name"] for r in city] == ["任城测试集群"]
    page = client_for(jining_officer).get(f"/monitoring/quality/{query}").content.decode()
    assert "任城测试集群" in page and "历下测试集群" not in page
    assert token_client(province_admin).get(f"/api/v1/quality{query}&quarter=1").status_code == 200


@pytest.mark.parametrize(("query", "name", "words"), [
    ("?year=abc", "year", "整数"),
    ("?year=1800", "year", "2000"),
    ("?programme=NOPE", "programme", "NOPE"),
    ("?quarter=7", "quarter", "7"),
])
def test_the_api_names_a_bad_parameter(reports, province_admin, query, name, words) -> None:  # noqa: F811
    response = token_client(province_admin).get(f"/api/v1/quality{query}")
    assert response.status_code == 400
    body = response.json()
    assert name in body["errors"] and words in body["detail"]


@pytest.mark.parametrize(("query", "words"), [
    ("?year=abc", "参数 year（年份）"),
    ("?year=20251", "参数 year（年份）"),
    ("?programme=NOPE&year=2025", "没有代码为“NOPE”"),
    ("?quarter=9", "参数 quarter（报告期）"),
])
def test_the_page_names_a_bad_parameter_and_shows_no_fallback(reports, province_admin, query,  # noqa: F811
                                                              words) -> None:
    response = client_for(province_admin).get(f"/monitoring/quality/{query}")
    page = response.content.decode()
    assert response.status_code == 200 and words in page and 'id="quality-problems"' in page
    assert "任城测试集群" not in page  # no silent fallback to the latest period
    export = client_for(province_admin).get(f"/monitoring/quality.xlsx{query}")
    assert export.status_code == 302 and export["Location"].startswith("/monitoring/quality/")


def test_the_page_says_it_in_english_too(reports, province_admin) -> None:  # noqa: F811
    client = client_for(province_admin)
    client.cookies["django_language"] = "en"
    page = client.get("/monitoring/quality/?year=abc").content.decode()
    assert 'id="quality-problems"' in page and "year" in page


@pytest.mark.parametrize(("args", "words"), [
    (("--year", "abc"), "--year"),
    (("--year", "1800"), "--year"),
    (("--year", "2025", "--quarter", "5"), "--quarter"),
    (("--year", "2025", "--as-of", "2025-02-30"), "--as-of"),
])
def test_the_cli_names_a_bad_argument_in_chinese(reports, args, words) -> None:  # noqa: F811
    period, _rencheng, _lixia = reports
    with pytest.raises(CommandError) as refused:
        call_command("quality", "--programme", period.programme.code, *args, stdout=io.StringIO())
    assert words in str(refused.value)
