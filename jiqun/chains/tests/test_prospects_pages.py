"""The 招引名录's pages, workbook and API: the same rules as the services, bad input named and nothing written,
another city's entries answer 404."""

import io
import json

import pytest
from python_calamine import CalamineWorkbook

from jiqun.audit.models import AuditEvent
from jiqun.chains.models import Prospect, ProspectStatus
from jiqun.chains.tests import test_prospects as base
from jiqun.conftest import client_for
from jiqun.projects.models import Project

pytestmark = pytest.mark.django_db

# The services' fixtures: a Jining chain of the cluster organisation's cluster, a 缺 and a 强 segment.
chain, cluster_org, missing, strong = base.chain, base.cluster_org, base.missing, base.strong
DAY, _entry = base.DAY, base._entry


def test_the_list_of_a_chain_offers_its_gaps_and_the_add_page_makes_an_entry(as_jining, missing):
    page = as_jining.get("/chains/prospects/", {"chain": missing.chain_id}).content.decode()
    assert f"/chains/prospects/add/?segment={missing.pk}" in page and "缺" in page
    form = as_jining.get(f"/chains/prospects/add/?segment={missing.pk}").content.decode()
    assert "高端液压件" in form and "本地企业" in form  # the rating's inputs beside it
    response = as_jining.post(f"/chains/prospects/add/?segment={missing.pk}", {
        "company_name": "江苏某液压件企业", "company_place": "江苏省常州市", "reason": "补链", "priority": "high",
        "on": DAY.isoformat()})
    entry = Prospect.objects.get(segment=missing)
    assert response.status_code == 302 and response["Location"] == f"/chains/prospects/{entry.pk}/"
    detail = as_jining.get(response["Location"]).content.decode()
    assert "江苏某液压件企业" in detail and "线索" in detail


def test_the_add_form_names_what_is_wrong_and_writes_nothing(as_jining, missing, strong):
    response = as_jining.post(f"/chains/prospects/add/?segment={missing.pk}", {
        "company_name": "", "priority": "urgent", "on": "2026-13-40"})
    page = response.content.decode()
    assert response.status_code == 200 and page.count('class="errorlist"') >= 2 and "urgent" in page
    response = as_jining.post(f"/chains/prospects/add/?segment={missing.pk}", {"priority": "high",
                                                                              "on": DAY.isoformat()})
    assert "请选择一家外地企业" in response.content.decode()
    response = as_jining.post(f"/chains/prospects/add/?segment={strong.pk}", {
        "company_name": "某整机企业", "priority": "high", "on": DAY.isoformat()})
    assert "评级为“强”" in response.content.decode()
    assert not Prospect.objects.filter(segment__chain=missing.chain).exists()
    assert as_jining.get("/chains/prospects/add/?segment=abc").status_code == 302


def test_another_city_gets_404_and_the_cluster_organisation_adds(as_jinan, missing, jining_officer, cluster_org):
    entry = _entry(jining_officer, missing)
    assert as_jinan.get(f"/chains/prospects/{entry.pk}/").status_code == 404
    assert as_jinan.get(f"/chains/prospects/add/?segment={missing.pk}").status_code == 404
    assert as_jinan.post(f"/chains/prospects/{entry.pk}/move/", {"to_status": "dropped"}).status_code == 404
    assert "江苏恒立" not in as_jinan.get("/chains/prospects/").content.decode()
    org = client_for(cluster_org)
    response = org.post(f"/chains/prospects/add/?segment={missing.pk}", {
        "company_name": "浙江某泵阀企业", "priority": "low", "on": DAY.isoformat()})
    assert response.status_code == 302
    assert Prospect.objects.filter(segment=missing, company__name="浙江某泵阀企业").exists()


def test_the_detail_page_contacts_moves_signs_and_refuses_a_stale_edit(as_jining, missing, jining_officer):
    entry = _entry(jining_officer, missing)
    url = f"/chains/prospects/{entry.pk}/"
    as_jining.post(url + "contact/", {"on": DAY.isoformat(), "way": "visit", "note": "拜访"})
    as_jining.post(url + "move/", {"to_status": "contact", "on": DAY.isoformat(), "note": "", "version": 1})
    as_jining.post(url + "edit/", {"reason": "新理由", "priority": "low", "owner_unit": "市投促局", "version": 2})
    stale = as_jining.post(url + "edit/", {"reason": "旧页面", "priority": "high", "owner_unit": "", "version": 2},
                           follow=True)
    assert "已于" in stale.content.decode()
    refused = as_jining.post(url + "sign/", {"on": DAY.isoformat(), "version": 3}, follow=True)
    assert "总投资" in refused.content.decode()
    as_jining.post(url + "sign/", {"on": DAY.isoformat(), "version": 3, "total_investment": "30000",
                                   "project_name": "液压件项目", "region": "370811"})
    entry.refresh_from_db()
    assert (entry.status, entry.reason, entry.owner_unit) == (ProspectStatus.SIGNED, "新理由", "市投促局")
    assert Project.objects.get(pk=entry.project_id).chain_segment == missing
    page = as_jining.get(url).content.decode()
    assert "液压件项目" in page and "谋划" in page and "上门拜访" in page


def test_the_workbook_reads_back_and_the_export_is_audited(as_jining, missing, jining_officer):
    entry = _entry(jining_officer, missing)
    before = AuditEvent.objects.filter(action="export", object_type="chains.prospect").count()
    response = as_jining.get("/chains/prospects/export/", {"chain": missing.chain_id, "status": "lead"})
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert rows[0][:5] == ["编号", "产业链", "环节编码", "环节", "目标企业"]
    assert [(int(r[0]), r[2], r[4], r[7], r[8]) for r in rows[1:]] == [
        (entry.pk, "U1", "江苏恒立液压股份有限公司", "高", "线索")]
    log = book.get_sheet_by_name(book.sheet_names[1]).to_python()
    assert log[1][4] == "线索"
    assert AuditEvent.objects.filter(action="export", object_type="chains.prospect").count() == before + 1
    assert "江苏恒立" in as_jining.get("/chains/prospects/", {"q": "恒立"}).content.decode()
    assert "江苏恒立" in as_jining.get("/chains/prospects/", {"q": "高端液压"}).content.decode()
    assert "江苏恒立" not in as_jining.get("/chains/prospects/", {"q": "恒立", "status": "signed"}).content.decode()


def test_the_api_lists_creates_contacts_moves_and_signs_within_scope(api_jining, api_jinan, missing):
    def send(client, method, url, body):
        return client.generic(method, url, json.dumps(body), content_type="application/json")

    created = send(api_jining, "POST", "/api/v1/prospects", {
        "segment": missing.pk, "company_name": "江苏某液压件企业", "priority": "high", "on": DAY.isoformat()})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert [p["id"] for p in api_jining.get("/api/v1/prospects", {"chain": missing.chain_id}).json()] == [pk]
    assert api_jinan.get("/api/v1/prospects").json() == []
    assert api_jinan.get(f"/api/v1/prospects/{pk}").status_code == 404
    assert send(api_jinan, "POST", f"/api/v1/prospects/{pk}/contacts",
                {"on": DAY.isoformat(), "way": "call", "note": "x"}).status_code == 404
    assert send(api_jining, "POST", f"/api/v1/prospects/{pk}/contacts",
                {"on": DAY.isoformat(), "way": "call", "note": "电话沟通"}).status_code == 201
    assert send(api_jining, "POST", f"/api/v1/prospects/{pk}/move",
                {"to_status": "signed", "on": DAY.isoformat(), "version": 1}).status_code == 400
    assert send(api_jining, "POST", f"/api/v1/prospects/{pk}/move",
                {"to_status": "contact", "on": DAY.isoformat(), "version": 1}).status_code == 200
    assert send(api_jining, "PATCH", f"/api/v1/prospects/{pk}", {"version": 1, "priority": "low"}).status_code == 412
    assert send(api_jining, "PATCH", f"/api/v1/prospects/{pk}", {"priority": "low"}).status_code == 400
    signed = send(api_jining, "POST", f"/api/v1/prospects/{pk}/sign",
                  {"on": DAY.isoformat(), "version": 2, "total_investment": "12000", "region": "370811"})
    assert signed.status_code == 200, signed.content
    body = signed.json()
    assert body["status"] == "signed" and body["project_stage"] == "planning"
    assert [e["to_status"] for e in body["events"]] == ["lead", "lead", "contact", "signed"]
    refused = send(api_jining, "POST", "/api/v1/prospects", {"segment": missing.pk, "company_name": "",
                                                             "priority": "urgent"})
    assert refused.status_code == 400 and set(refused.json()["errors"]) >= {"priority", "company"}


def test_the_segment_panel_for_the_chain_page_shows_the_loop_to_who_sees_it(missing, jining_officer, jinan_officer,
                                                                             rf):
    from django.template import Context, Template

    entry = _entry(jining_officer, missing)
    panel = Template("{% load chain_prospects %}{% prospects_panel segment %}")

    def render(user) -> str:
        request = rf.get("/")
        request.user = user
        return panel.render(Context({"request": request, "segment": missing}))

    shown = render(jining_officer)
    assert "江苏恒立液压股份有限公司" in shown and f"/chains/prospects/{entry.pk}/" in shown
    assert f"/chains/prospects/add/?segment={missing.pk}" in shown and "线索" in shown
    hidden = render(jinan_officer)
    assert "江苏恒立" not in hidden and "/chains/prospects/add/" not in hidden
