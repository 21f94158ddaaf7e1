"""The incident register as a city officer meets it, in Debian's headless Chromium: record an incident (a date in
the future is refused on its field), find it in the list, then withdraw it with a reason; a stale withdrawal
(the record changed since the page was opened) is refused and changes nothing."""

import datetime

from jiqun.clusters.models import Cluster
from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site  # noqa: F401
from jiqun.incidents.models import Incident, IncidentStatus
from jiqun.incidents.services import incident_update

pytestmark = BROWSER_TEST

DOCUMENT = "浏览器测试〔2026〕7号"


def test_city_officer_records_and_withdraws_an_incident(site, page):  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    cluster = Cluster.objects.filter(regions__code__startswith="3708").order_by("pk").first()
    log_in(page, site, "jining")
    page.click("nav.mainnav >> text=事故与失信")
    page.wait_for_selector("#incidents")
    page.click("text=登记事件")
    page.select_option("#id_cluster", str(cluster.pk))
    page.select_option("#id_kind", "safety")
    page.select_option("#id_severity", "large")
    page.fill("#id_occurred_on", (datetime.date.today() + datetime.timedelta(days=3)).isoformat())
    page.fill("#id_document", DOCUMENT)
    page.fill("#id_description", "某成员企业发生较大生产安全事故（测试）")
    page.click("form.card button[type=submit]")
    assert "晚于今天" in page.inner_text("form.card")
    assert not Incident.objects.filter(document=DOCUMENT).exists()
    page.fill("#id_occurred_on", "2025-05-12")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#incidents")
    assert DOCUMENT in page.inner_text("#incidents")
    incident = Incident.objects.get(document=DOCUMENT)
    page.screenshot(path=str(SHOTS / "incidents-list.png"), full_page=True)

    # A colleague corrects the record while this officer has the page open: the stale withdrawal is refused.
    page.goto(f"{site}/incidents/{incident.pk}/edit/")
    incident_update(actor=None, incident=incident, base_version=incident.version, severity="major")
    page.fill("#id_reason", "经复查不属实")
    page.click("button.danger")
    assert "请刷新后重新填写" in page.inner_text("body")
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.RECORDED

    page.goto(f"{site}/incidents/{incident.pk}/edit/")
    page.fill("#id_reason", "经复查不属实")
    page.click("button.danger")
    page.wait_for_selector("#incidents")
    withdrawn = Incident.objects.get(pk=incident.pk)
    assert withdrawn.status == IncidentStatus.WITHDRAWN and withdrawn.withdrawn_reason == "经复查不属实"
    assert "已撤销" in page.inner_text("#incidents")
