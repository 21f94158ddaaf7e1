"""The comparison page: its numbers are the approved-figures selector's, only visible subjects can be compared,
bad input of every kind is refused with a message, the workbook holds the table, and saved comparisons are
each user's own."""

from urllib.parse import urlencode

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster
from jiqun.conftest import client_for
from jiqun.dashboards.compare import comparison
from jiqun.dashboards.models import SavedComparison
from jiqun.dashboards.selectors import Summaries
from jiqun.dashboards.services import comparison_delete, comparison_save
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.tests.helpers import read_sheet
from jiqun.programmes.models import Programme

pytestmark = pytest.mark.django_db
JINING = "JN-2020-231"
PROVINCE = "SD-2023-185"
URL = "/dashboards/compare/"
CODES = ["revenue", "profit", "employees"]


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _clusters(user: User, programme: str, n: int) -> list[str]:
    return [str(pk) for pk in Cluster.objects.for_user(user).filter(programme__code=programme)
            .order_by("pk").values_list("pk", flat=True)[:n]]


def _query(subjects, *, programme=JINING, kind="cluster", indicators=CODES, **more) -> str:
    return urlencode({"programme": programme, "kind": kind, "subjects": subjects, "indicators": indicators, **more},
                     doseq=True)


def _errors(response) -> str:
    html = response.content.decode()
    start = html.find('id="compare-errors"')
    return html[start:html.find("</ul>", start)] if start >= 0 else ""


def test_the_tables_numbers_are_the_approved_figures():
    jining = _user("jining")
    programme = Programme.objects.get(code=JINING)
    summaries = Summaries(jining, programme)
    year, quarter = summaries.latest()
    figures = ApprovedFigures(programme)
    subjects = _clusters(jining, JINING, 3)
    result = comparison(jining, summaries=summaries, kind="cluster", subjects=subjects, indicators=CODES,
                        years=[year - 1, year], quarter=quarter)
    assert [s.key for s in result.subjects] == subjects
    compared = 0
    for subject, cells in result.rows:
        for cell in cells:
            total = figures.total(figures.cluster(int(subject.key)), cell.indicator.code, cell.year, quarter)
            assert cell.value == (total.current if total is not None and total.complete else None)
            compared += cell.value is not None
    assert compared >= 9  # the latest year at least
    regions = comparison(jining, summaries=summaries, kind="region", subjects=["370800", "370811"],
                         indicators=["revenue"], years=[year], quarter=quarter)
    for subject, cells in regions.rows:
        total = figures.total(figures.region(subject.key), "revenue", year, quarter)
        assert cells[0].value == total.current and total.complete
    # the page shows them, each linking to its source, with a bar chart per indicator and the radar
    response = client_for(jining).get(f"{URL}?{_query(subjects, years=[year], quarter=quarter)}")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="compare-table"' in html and not _errors(response)
    first = result.rows[0][1][-1]
    assert first.url.replace("&", "&amp;") in html
    assert html.count("data-jchart=") == 4 and "chart-radar" in html  # 3 indicators × 1 year: radar too


def test_save_reopen_and_delete():
    jining = _user("jining")
    client = client_for(jining)
    subjects = _clusters(jining, JINING, 3)
    response = client.post(f"{URL}save/", {"name": "三个集群", "programme": JINING, "kind": "cluster",
                                           "subjects": subjects, "indicators": CODES[:2]})
    assert response.status_code == 302
    saved = SavedComparison.objects.get(owner=jining, name="三个集群")
    assert saved.subjects == subjects and saved.indicators == CODES[:2] and saved.years
    assert AuditEvent.objects.filter(object_type="dashboards.savedcomparison", object_id=str(saved.pk),
                                     action="create").exists()
    page = client.get(URL).content.decode()
    assert "三个集群" in page and f"?saved={saved.pk}" in page
    opened = client.get(f"{URL}?saved={saved.pk}")
    assert opened.status_code == 302
    shown = client.get(opened["Location"])
    assert 'id="compare-table"' in shown.content.decode()
    assert [s.key for s in shown.context["result"].subjects] == subjects
    # a second one of the same name is refused, with the field named; nothing saved
    again = client.post(f"{URL}save/", {"name": "三个集群", "programme": JINING, "kind": "cluster",
                                        "subjects": subjects, "indicators": CODES[:2]}, follow=True)
    assert "对比名称" in again.content.decode() and SavedComparison.objects.filter(owner=jining).count() == 1
    assert client.post(f"{URL}saved/{saved.pk}/delete/").status_code == 302
    assert not SavedComparison.objects.filter(pk=saved.pk).exists()
    assert AuditEvent.objects.filter(object_type="dashboards.savedcomparison", object_id=str(saved.pk),
                                     action="delete").exists()


def test_another_users_saved_comparison_is_a_404_and_lost_subjects_are_dropped():
    jining = _user("jining")
    saved = comparison_save(actor=jining, name="济宁", programme=Programme.objects.get(code=JINING), kind="cluster",
                            subjects=_clusters(jining, JINING, 6), indicators=["revenue"],
                            years=[Summaries(jining, Programme.objects.get(code=JINING)).latest()[0]])
    other = client_for(_user("rencheng"))
    assert other.get(f"{URL}?saved={saved.pk}").status_code == 404
    assert other.post(f"{URL}saved/{saved.pk}/delete/").status_code == 404
    assert other.get(f"{URL}?saved=abc").status_code == 404
    with pytest.raises(PermissionDenied):
        comparison_delete(actor=_user("rencheng"), comparison=saved)
    assert SavedComparison.objects.filter(pk=saved.pk).exists()
    # jining moves to 任城区: the clusters it no longer sees are dropped with a notice
    jining.region_id = "370811"
    jining.save(update_fields=["region"])
    client = client_for(jining)
    opened = client.get(f"{URL}?saved={saved.pk}", follow=True)
    visible = set(_clusters(jining, JINING, 10))
    assert 0 < len(visible) < 6
    assert {s.key for s in opened.context["result"].subjects} == visible
    assert "已无权查看" in opened.content.decode()


def test_eleven_subjects_or_an_invisible_one_are_refused():
    sheng = _user("sheng")
    eleven = _clusters(sheng, PROVINCE, 11)
    assert len(eleven) == 11
    response = client_for(sheng).get(f"{URL}?{_query(eleven, programme=PROVINCE, indicators=['revenue'])}")
    assert response.status_code == 200 and response.context["result"] is None
    assert "对比对象：最多可选 10 个对比对象，现选了 11 个" in _errors(response)
    jinan = _user("jinan")
    jining_cluster = _clusters(_user("jining"), JINING, 1)
    response = client_for(jinan).get(f"{URL}?{_query(jining_cluster)}")
    assert response.context["result"] is None and "对比对象" in _errors(response)
    assert jining_cluster[0] in _errors(response)
    programme = Programme.objects.get(code=PROVINCE)
    with pytest.raises(ValidationError) as refused:
        comparison_save(actor=sheng, name="太多", programme=programme, kind="cluster", subjects=eleven,
                        indicators=["revenue"], years=[Summaries(sheng, programme).latest()[0]])
    assert "subjects" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        comparison_save(actor=jinan, name="看不见", programme=Programme.objects.get(code=JINING), kind="cluster",
                        subjects=jining_cluster, indicators=["revenue"], years=[2025])
    assert "subjects" in refused.value.message_dict
    assert not SavedComparison.objects.exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"indicators": ["no_such_indicator"]}, "指标"),
    ({"kind": "zone"}, "对比对象类型"),
    ({"programme": "NOPE"}, "培育工程"),
    ({"years": ["1999"]}, "年份"),
    ({"years": ["x" * 30]}, "年份"),
    ({"quarter": "5"}, "报告期"),
    ({"subjects": ["9" * 40]}, "对比对象"),
])
def test_bad_input_is_named_and_nothing_shown(change, field):
    jining = _user("jining")
    params = {"programme": JINING, "kind": "cluster", "subjects": _clusters(jining, JINING, 2),
              "indicators": ["revenue"]} | change
    response = client_for(jining).get(f"{URL}?{urlencode(params, doseq=True)}")
    assert response.status_code == 200 and response.context["result"] is None
    assert f"{field}：" in _errors(response)


def test_the_cluster_organisation_compares_only_its_clusters():
    org = _user("jiqun_org")
    response = client_for(org).get(f"{URL}?{_query(['370800'], kind='region')}")
    assert response.context["result"] is None and "对比对象" in _errors(response)
    assert response.context["form"].subject_choices == []


def test_the_workbook_and_chart_downloads_hold_the_table():
    jining = _user("jining")
    client = client_for(jining)
    year, quarter = Summaries(jining, Programme.objects.get(code=JINING)).latest()
    query = _query(["370800", "370811", "370812"], kind="region", indicators=["revenue", "employees"],
                   years=[year], quarter=quarter)
    page = client.get(f"{URL}?{query}")
    result = page.context["result"]
    response = client.get(f"{URL}?{query}&export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_sheet(response.content, "对比")
    assert rows[1][0] == "对比对象" and "主营业务收入" in rows[1][1]
    for (subject, cells), row in zip(result.rows, rows[2:5], strict=True):
        assert row[0] == subject.name
        assert [row[1], row[3]] == [float(c.value) if c.value is not None else c.status for c in cells]
    assert AuditEvent.objects.filter(action="export", object_type="dashboards.comparison").exists()
    chart = client.get(f"{URL}?{query}&chart=ind-1")
    assert chart.status_code == 200 and read_sheet(chart.content, "图表数据")[2][0] == result.subjects[0].name
    assert client.get(f"{URL}?{query}&chart=nope").status_code == 404
    wrong = client.get(f"{URL}?{query}&export=pdf")
    assert wrong.status_code == 200 and "导出格式" in wrong.content.decode()


def test_at_most_fifty_saved_per_user():
    jining = _user("jining")
    programme = Programme.objects.get(code=JINING)
    SavedComparison.objects.bulk_create([
        SavedComparison(owner=jining, name=f"对比{i}", programme=programme, kind="cluster", subjects=["1"],
                        indicators=["revenue"], years=[2025]) for i in range(50)])
    with pytest.raises(ValidationError, match="最多保存 50 个"):
        comparison_save(actor=jining, name="第五十一个", programme=programme, kind="cluster",
                        subjects=_clusters(jining, JINING, 1), indicators=["revenue"], years=[2025])
    assert SavedComparison.objects.filter(owner=jining).count() == 50
