"""Attachments and cancelling in a real browser: the cluster organisation attaches a PDF to its application,
a page named .pdf is refused with the file named; the province cancels the call and the files stay, read-only."""

import datetime
from decimal import Decimal

from jiqun.core.tests.browser import BROWSER_TEST, browser, log_in, page, site  # noqa: F401

pytestmark = BROWSER_TEST

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _application():
    from django.utils import timezone

    from jiqun.accounts.models import User
    from jiqun.clusters.models import Cluster, Tier
    from jiqun.recognition.models import ASPECT_CODES
    from jiqun.recognition.services import application_create, call_create, call_open

    sheng, org = User.objects.get(username="sheng"), User.objects.get(username="jiqun_org")
    cluster = Cluster.objects.for_user(org).get(name="新一代信息技术产业集群")
    call = call_create(actor=sheng, programme=cluster.programme, title="附件浏览器测试批次", tier_sought=Tier.CITY,
                       quota=1, deadline=timezone.localdate() + datetime.timedelta(days=30), data_year=2025,
                       quantitative_weight=Decimal("0"), aspect_weights=dict.fromkeys(ASPECT_CODES, 1))
    call_open(actor=sheng, call=call)
    return application_create(actor=org, call=call, cluster=cluster,
                              texts={code: "浏览器测试" for code in ASPECT_CODES})


def test_the_applicant_attaches_and_the_province_cancels(site, page, tmp_path):  # noqa: F811
    application = _application()
    good, bad = tmp_path / "实施方案.pdf", tmp_path / "伪装.pdf"
    good.write_bytes(PDF)
    bad.write_bytes(b"<html><script>alert(1)</script></html>")
    log_in(page, site, "jiqun_org")
    page.goto(f"{site}/recognition/applications/{application.pk}/")
    page.set_input_files("#id_file", str(good))
    page.click("text=上传附件")
    page.wait_for_selector("#attachment-list >> text=实施方案.pdf")
    page.set_input_files("#id_file", str(bad))
    page.click("text=上传附件")
    assert "伪装.pdf" in page.inner_text(".messages") and "不是 PDF" in page.inner_text(".messages")
    assert "伪装.pdf" not in page.inner_text("#attachment-list")
    with page.expect_download() as download:
        page.click("#attachment-list >> text=实施方案.pdf")
    assert download.value.suggested_filename == "实施方案.pdf"

    page.context.clear_cookies()
    log_in(page, site, "sheng")
    page.goto(f"{site}/recognition/{application.call_id}/")
    page.fill("#id_reason", "浏览器测试撤销")
    page.click("text=撤销批次")
    assert "已撤销" in page.inner_text("#call-status")
    assert "浏览器测试撤销" in page.inner_text("#cancelled")
    page.goto(f"{site}/recognition/applications/{application.pk}/")
    assert "实施方案.pdf" in page.inner_text("#attachment-list")
    assert page.locator("text=上传附件").count() == 0
