"""Opening a period with its indicator set, from the page, the command line and the API: the programme's reporting
list by default, adjusted by the province; a bad set is refused by name and opens nothing."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jiqun.audit.models import AuditEvent
from jiqun.monitoring.models import ReportingPeriod
from jiqun.monitoring.services import period_default_codes
from jiqun.programmes.models import Programme

pytestmark = pytest.mark.django_db

JINING_SET = ["operating_revenue", "output_value", "hightech_industry_output", "local_purchases", "total_purchases",
              "manufacturing_operating_revenue", "renewable_capacity", "power_capacity", "industrial_special_fund",
              "tech_transformation_fund", "new_land_quota", "cluster_land_quota", "new_coal_quota",
              "cluster_coal_quota"]
BAD_SETS = [  # (ticked codes, what the message names)
    (["revenue", "no_such_code"], "no_such_code"),
    (["revenue", "count_clusters"], "由名录计数得出"),
    (["rd_intensity"], "由“研发投入”和“主营业务收入”计算得出"),
    ([], "请至少选择一项填报指标"),
]


@pytest.fixture
def jining_programme() -> Programme:
    return Programme.objects.get(code="JN-2020-231")


def codes_of(period: ReportingPeriod) -> set[str]:
    return set(period.indicators.values_list("code", flat=True))


def writes() -> int:
    return AuditEvent.objects.exclude(action="denied").count()


# --- the page ------------------------------------------------------------------------------------------------

def form_data(programme: Programme, indicators: list[str], **changes) -> dict:
    data = {"programme": programme.pk, "year": 2031, "quarter": 2, "deadline": "2031-07-15",
            "indicators_shown": "True", "indicators": indicators}
    data.update(changes)
    return data


def test_choosing_a_programme_shows_its_default_set_ticked_by_level(as_province, jining_programme):
    page = as_province.get("/monitoring/").content.decode()
    assert 'id="choose-programme"' in page and 'id="open-period"' not in page  # step one: the programme
    page = as_province.get(f"/monitoring/?programme={jining_programme.pk}").content.decode()
    cluster_part = page[page.index('id="level-cluster"'):page.index('id="level-region"')]
    region_part = page[page.index('id="level-region"'):page.index("</fieldset>")]
    assert 'value="operating_revenue" checked' in cluster_part and "营业收入（万元）" in cluster_part
    assert 'value="manufacturing_operating_revenue" checked' in region_part and "全市制造业营业收入（万元）" in region_part
    assert 'value="renewable_capacity" checked' in region_part and "（万千瓦）" in region_part
    assert 'value="revenue" checked' not in page and 'value="revenue"' in cluster_part  # offered, not ticked
    assert 'value="count_clusters"' not in page and 'value="rd_intensity"' not in page  # never reported
    assert page.count(" checked>") == len(JINING_SET)
    # What each one is for: 营业收入 measures T09 and the clusters' T12…, counts T01/T02 and is T10's numerator.
    revenue = cluster_part[cluster_part.index('value="operating_revenue"'):]
    assert 'title="T01、T02、T09、T10、T12、' in revenue[:revenue.index("</label>")] and "目标 16 项" in revenue


def test_the_province_opens_a_period_with_the_set_it_ticked(as_province, jining_programme):
    ticked = [code for code in JINING_SET if code != "tech_transformation_fund"] + ["revenue", "profit"]
    response = as_province.post("/monitoring/", form_data(jining_programme, ticked))
    period = ReportingPeriod.objects.get(programme=jining_programme, year=2031, quarter=2)
    assert response.status_code == 302 and response["Location"] == f"/monitoring/periods/{period.pk}/"
    assert codes_of(period) == set(ticked)
    event = AuditEvent.objects.filter(object_type="monitoring.reportingperiod", object_id=str(period.pk)).get()
    assert event.after["indicators"] == sorted(ticked)


def test_a_post_without_the_indicator_list_collects_the_default_set(as_province, jining_programme):
    data = form_data(jining_programme, [])
    del data["indicators_shown"], data["indicators"]
    as_province.post("/monitoring/", data)
    assert codes_of(ReportingPeriod.objects.get(programme=jining_programme, year=2031)) == set(JINING_SET)


@pytest.mark.parametrize(("ticked", "named"), BAD_SETS)
def test_a_bad_set_is_named_and_opens_nothing(as_province, jining_programme, ticked, named):
    before = writes()
    response = as_province.post("/monitoring/", form_data(jining_programme, ticked))
    page = response.content.decode()
    assert response.status_code == 200 and named in page and 'id="indicator-errors"' in page
    assert not ReportingPeriod.objects.filter(year=2031).exists() and writes() == before
    for code in ticked:  # what was ticked stays ticked, to be corrected
        if code in ("revenue",):
            assert f'value="{code}" checked' in page


def test_a_post_without_a_programme_asks_for_one(as_province, jining_programme):
    data = {**form_data(jining_programme, JINING_SET), "programme": ""}
    page = as_province.post("/monitoring/", data).content.decode()
    assert 'id="programme-error"' in page and not ReportingPeriod.objects.filter(year=2031).exists()


def test_a_city_cannot_open_a_period_or_see_the_form(as_jining, jining_programme):
    assert 'id="choose-programme"' not in as_jining.get("/monitoring/").content.decode()
    assert as_jining.post("/monitoring/", form_data(jining_programme, JINING_SET)).status_code == 404
    assert not ReportingPeriod.objects.filter(year=2031).exists()


# --- the command line ----------------------------------------------------------------------------------------

def periods_open(*args: str) -> str:
    out = StringIO()
    call_command("periods", "open", "--programme", "JN-2020-231", "--year", "2031", "--quarter", "3",
                 "--deadline", "2031-10-15", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_set_it_collects_and_opens_it(jining_programme):
    out = periods_open()
    assert "填报指标 14 项" in out and "营业收入（万元）operating_revenue" in out
    assert "区域综合表填报：全市制造业营业收入（万元）manufacturing_operating_revenue" in out
    assert codes_of(ReportingPeriod.objects.get(programme=jining_programme, year=2031, quarter=3)) == set(JINING_SET)


def test_the_command_adds_removes_and_replaces(jining_programme):
    periods_open("--add", "revenue,profit", "--remove", "tech_transformation_fund")
    period = ReportingPeriod.objects.get(programme=jining_programme, year=2031, quarter=3)
    assert codes_of(period) == (set(JINING_SET) - {"tech_transformation_fund"}) | {"revenue", "profit"}
    out = StringIO()
    call_command("periods", "open", "--programme", "JN-2020-231", "--year", "2031", "--quarter", "4",
                 "--deadline", "2032-01-15", "--indicators", "operating_revenue，output_value", stdout=out)
    assert codes_of(ReportingPeriod.objects.get(programme=jining_programme, year=2031, quarter=4)) == {
        "operating_revenue", "output_value"}


def test_a_dry_run_prints_the_set_and_opens_nothing(jining_programme):
    assert "填报指标 14 项" in periods_open("--dry-run") and not ReportingPeriod.objects.filter(year=2031).exists()


@pytest.mark.parametrize(("args", "named"), [
    (("--add", "no_such_code"), "no_such_code"),
    (("--remove", "revenue"), "要去掉的指标 revenue 本来就不在填报指标中"),
    (("--indicators", "operating_revenue,count_clusters"), "由名录计数得出"),
    (("--indicators", ""), "请至少选择一项填报指标"),
])
def test_the_command_refuses_a_bad_set_by_name(jining_programme, args, named):
    before = writes()
    with pytest.raises(CommandError, match=named):
        periods_open(*args)
    assert not ReportingPeriod.objects.filter(year=2031).exists() and writes() == before


# --- the API -------------------------------------------------------------------------------------------------

def post(client, body) -> object:
    return client.post("/api/v1/periods", data=json.dumps(body), content_type="application/json")


BODY = {"programme": "JN-2020-231", "year": 2031, "quarter": 1, "deadline": "2031-04-15"}


def test_the_api_opens_a_period_with_the_default_set_and_shows_it(api_province, api_jining, jining_programme):
    response = post(api_province, BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["indicators"] == sorted(JINING_SET) and body["reports"] == 7  # six clusters and Jining's 综合表
    detail = api_jining.get(f"/api/v1/periods/{body['id']}").json()  # every persona reads the calendar
    levels = {i["code"]: i["level"] for i in detail["indicator_set"]}
    assert levels["operating_revenue"] == "cluster" and levels["manufacturing_operating_revenue"] == "region"
    assert detail["indicator_set"][0]["unit"] == "万元"
    event = AuditEvent.objects.filter(object_type="monitoring.reportingperiod", object_id=str(body["id"])).get()
    assert event.actor_name == "sheng" and event.after["indicators"] == sorted(JINING_SET)


def test_the_api_takes_a_chosen_set(api_province):
    response = post(api_province, {**BODY, "indicators": ["revenue", "profit"], "enterprise_level": False})
    assert response.status_code == 201 and response.json()["indicators"] == ["profit", "revenue"]
    assert response.json()["reports"] == 6  # no region-level indicator: no 综合表


@pytest.mark.parametrize(("indicators", "named"), BAD_SETS)
def test_the_api_refuses_a_bad_set_by_name(api_province, indicators, named):
    before = writes()
    response = post(api_province, {**BODY, "indicators": indicators})
    assert response.status_code == 400 and named in response.json()["detail"]
    assert "indicators" in response.json()["errors"]
    assert not ReportingPeriod.objects.filter(year=2031).exists() and writes() == before


@pytest.mark.parametrize(("body", "status", "named"), [
    ({**BODY, "colour": "red"}, 422, "colour"),
    ({**BODY, "quarter": 5}, 422, "quarter"),
    ({**BODY, "programme": "NO-SUCH"}, 400, "NO-SUCH"),
    ([BODY], 422, "JSON 对象"),
])
def test_the_api_refuses_a_bad_body_by_name(api_province, body, status, named):
    response = post(api_province, body)
    assert response.status_code == status and named in json.dumps(response.json(), ensure_ascii=False)
    assert not ReportingPeriod.objects.filter(year=2031).exists()


def test_only_the_province_opens_a_period_through_the_api(api_jining, api_province):
    response = post(api_jining, BODY)
    assert response.status_code == 403 and "省级管理员" in response.json()["detail"]
    assert post(api_province, BODY).status_code == 201
    again = post(api_province, BODY)
    assert again.status_code == 400 and "已开启" in again.json()["detail"]


def test_the_default_set_is_the_programmes_reporting_list(jining_programme):
    assert period_default_codes(jining_programme) == JINING_SET
