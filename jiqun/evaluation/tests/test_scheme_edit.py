"""Copying and editing a scheme version through the service, the pages, the API and the command line: copy,
edit, run with the new weights; a locked version refuses; a stale edit is refused; bad input of every channel
is refused naming the field and changes nothing; the YAML export loads back."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from jiqun.audit.models import AuditEvent
from jiqun.core.stale import StaleEdit
from jiqun.evaluation.models import Scheme
from jiqun.evaluation.packs import scheme_parse_text
from jiqun.evaluation.scheme_edit import scheme_copy, scheme_update, scheme_yaml
from jiqun.evaluation.services import evaluation_run_create

pytestmark = pytest.mark.django_db

CODE = "sd-2023-185-competitiveness"
# Move 0.05 from revenue to new_enterprises: still summing to 1.
SHIFT = {"items": {"revenue": {"weight": "0.10"}, "new_enterprises": {"weight": "0.15"}}}


def _locked() -> Scheme:
    return Scheme.objects.get(code=CODE, version=1)


def _events():
    return AuditEvent.objects.exclude(action="denied")


def _weights(run) -> dict[str, float]:
    used = run.result["engine"]["weights"]
    return dict(zip(used["criteria"], used["weights"], strict=True))


def test_copy_edit_and_run_uses_the_new_weights(province_admin) -> None:
    locked = _locked()
    before = _events().count()
    copy = scheme_copy(actor=province_admin, scheme=locked)
    assert (copy.code, copy.version, copy.locked, copy.revision) == (CODE, 2, False, 1)
    assert copy.items.count() == locked.items.count() and _events().count() == before + 1
    edited = scheme_update(actor=province_admin, scheme=copy, changes={**SHIFT, "name": "竞争力评价（修订）"},
                           base_revision=1)
    assert edited.revision == 2 and edited.name == "竞争力评价（修订）"
    event = _events().order_by("-id").first()
    assert event.before["items"]["revenue"]["weight"] == "0.1500" and event.after["items"]["revenue"]["weight"] == "0.1000"
    run = evaluation_run_create(actor=province_admin, scheme=edited, year=2025)
    assert _weights(run)["revenue"] == pytest.approx(0.10) and _weights(run)["new_enterprises"] == pytest.approx(0.15)
    locked.refresh_from_db()
    assert locked.items.get(code="revenue").weight == Decimal("0.15")  # the original is untouched


def test_save_as_a_new_code_makes_version_one(province_admin) -> None:
    copy = scheme_copy(actor=province_admin, scheme=_locked(), code="competitiveness-jinan")
    assert (copy.code, copy.version) == ("competitiveness-jinan", 1)
    with pytest.raises(ValidationError) as refused:
        scheme_copy(actor=province_admin, scheme=_locked(), code="Bad Code")
    assert "code" in refused.value.message_dict


def test_a_locked_version_refuses_every_edit_saying_to_copy_it(province_admin) -> None:
    with pytest.raises(ValidationError) as refused:
        scheme_update(actor=province_admin, scheme=_locked(), changes={"name": "改名"}, base_revision=1)
    assert "复制为新版本" in refused.value.messages[0]
    assert _locked().name == "集群综合竞争力评价"


def test_a_stale_edit_is_refused_naming_who_changed_what(province_admin) -> None:
    copy = scheme_copy(actor=province_admin, scheme=_locked())
    scheme_update(actor=province_admin, scheme=copy, changes={"name": "甲"}, base_revision=1)
    with pytest.raises(StaleEdit) as refused:
        scheme_update(actor=province_admin, scheme=copy, changes={"name": "乙"}, base_revision=1)
    assert "sheng" in refused.value.messages[0] and "名称" in refused.value.messages[0]
    copy.refresh_from_db()
    assert copy.name == "甲"


def test_the_loaders_rules_refuse_bad_edits_naming_the_field(province_admin) -> None:
    copy = scheme_copy(actor=province_admin, scheme=_locked())
    bad = {"items": {"revenue": {"weight": "0.50"}}, "grades": {"优秀": "60", "良好": "70", "合格": "50"}}
    with pytest.raises(ValidationError) as refused:
        scheme_update(actor=province_admin, scheme=copy, changes=bad, base_revision=1)
    errors = refused.value.message_dict
    assert "各项权重之和应为 1" in errors["items"][0]
    assert "优秀 > 良好 > 合格" in errors["grades"][0]
    with pytest.raises(ValidationError) as refused:
        scheme_update(actor=province_admin, scheme=copy, changes={"weight_method": "ahp"}, base_revision=1)
    assert "层次分析法征询" in refused.value.message_dict["weight_method"][0]
    copy.refresh_from_db()
    assert copy.revision == 1 and copy.weight_method == "fixed"


def test_a_city_may_not_copy_or_edit(jinan_officer, province_admin) -> None:
    with pytest.raises(PermissionDenied):
        scheme_copy(actor=jinan_officer, scheme=_locked())
    copy = scheme_copy(actor=province_admin, scheme=_locked())
    with pytest.raises(PermissionDenied):
        scheme_update(actor=jinan_officer, scheme=copy, changes={"name": "x"}, base_revision=1)


def test_the_yaml_export_loads_back_as_the_same_scheme(province_admin) -> None:
    copy = scheme_copy(actor=province_admin, scheme=_locked())
    scheme_update(actor=province_admin, scheme=copy, changes=SHIFT, base_revision=1)
    parsed = scheme_parse_text(scheme_yaml(copy), "export.yaml")
    assert (parsed.spec.code, parsed.spec.version) == (CODE, 2)
    weights = {i.indicator: float(i.weight) for i in parsed.spec.items}
    assert weights["revenue"] == 0.10 and weights["new_enterprises"] == 0.15
    assert parsed.spec.consequences.warn_grade == "不合格"


# --- pages ---------------------------------------------------------------------------------------------

def test_the_pages_copy_edit_and_refuse_bad_input(as_province) -> None:
    locked = _locked()
    page = as_province.get(f"/evaluation/schemes/{locked.pk}/")
    assert "复制为新版本" in page.content.decode() and 'id="edit"' not in page.content.decode()
    response = as_province.post(f"/evaluation/schemes/{locked.pk}/copy/", {"code": ""})
    copy = Scheme.objects.get(code=CODE, version=2)
    assert response.status_code == 302 and response["Location"] == f"/evaluation/schemes/{copy.pk}/edit/"
    form = as_province.get(f"/evaluation/schemes/{copy.pk}/edit/")
    assert form.status_code == 200
    data = {k: v for k, v in form.context["form"].initial.items()}
    data.update({"weight_revenue": "0.5", "grade_good": "abc"})
    refused = as_province.post(f"/evaluation/schemes/{copy.pk}/edit/", data)
    assert refused.status_code == 200 and "良好线应为数字" in refused.content.decode()
    data["grade_good"] = "70"
    refused = as_province.post(f"/evaluation/schemes/{copy.pk}/edit/", data)
    assert "各项权重之和应为 1" in refused.content.decode(), refused.context["form"].errors
    copy.refresh_from_db()
    assert copy.revision == 1 and copy.items.get(code="revenue").weight == Decimal("0.15")
    data.update({"weight_revenue": "0.10", "weight_new_enterprises": "0.15"})
    saved = as_province.post(f"/evaluation/schemes/{copy.pk}/edit/", data)
    assert saved.status_code == 302
    stale = as_province.post(f"/evaluation/schemes/{copy.pk}/edit/", {**data, "name": "又改"})
    assert "已于" in stale.content.decode() and "请刷新后重新填写" in stale.content.decode()
    assert Scheme.objects.get(pk=copy.pk).name != "又改"
    exported = as_province.get(f"/evaluation/schemes/{copy.pk}/export.yaml")
    assert exported.status_code == 200 and "new_enterprises" in exported.content.decode()
    sent_back = as_province.get(f"/evaluation/schemes/{locked.pk}/edit/", follow=True)
    assert "复制为新版本" in sent_back.content.decode()


def test_a_city_officer_is_sent_back_from_the_edit_page(as_jinan) -> None:
    assert as_jinan.get(f"/evaluation/schemes/{_locked().pk}/edit/").status_code == 302
    assert as_jinan.post(f"/evaluation/schemes/{_locked().pk}/copy/").status_code == 403


# --- API -----------------------------------------------------------------------------------------------

def test_the_api_copies_patches_refuses_stale_and_bad_input(api_province, api_jinan) -> None:
    locked = _locked()
    copied = api_province.post(f"/api/v1/evaluation/schemes/{locked.pk}/copy", "{}", content_type="application/json")
    assert copied.status_code == 201, copied.content
    body = copied.json()
    assert (body["version"], body["locked"], body["revision"]) == (2, False, 1)
    url = f"/api/v1/evaluation/schemes/{body['id']}"
    bad = api_province.patch(url, json.dumps({"revision": 1, "items": {"revenue": {"weight": 0.5}}}),
                             content_type="application/json")
    assert bad.status_code == 400 and "各项权重之和应为 1" in bad.json()["detail"]
    ok = api_province.patch(url, json.dumps({"revision": 1, **SHIFT}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["revision"] == 2
    assert {i["code"]: i["weight"] for i in ok.json()["items"]}["revenue"] == 0.1
    stale = api_province.patch(url, json.dumps({"revision": 1, "name": "x"}), content_type="application/json")
    assert stale.status_code == 412
    missing = api_province.patch(url, json.dumps({"name": "x"}), content_type="application/json")
    assert missing.status_code == 400
    locked_patch = api_province.patch(f"/api/v1/evaluation/schemes/{locked.pk}", json.dumps({"revision": 1, "name": "x"}),
                                      content_type="application/json")
    assert locked_patch.status_code == 400 and "复制为新版本" in locked_patch.json()["detail"]
    assert api_jinan.patch(url, json.dumps({"revision": 2, "name": "x"}), content_type="application/json").status_code == 403


def test_running_an_unknown_version_says_the_version_does_not_exist(api_province) -> None:
    response = api_province.post("/api/v1/evaluation/runs", json.dumps({"scheme": CODE, "version": 9, "year": 2025}),
                                 content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["version"] == [f"评价方案 {CODE} 没有第9版（已有：第1版）"]


# --- command line --------------------------------------------------------------------------------------

def test_the_command_copies_and_refuses_bad_input() -> None:
    out = StringIO()
    call_command("evaluate", "copy", CODE, "--version", "1", "--json", stdout=out)
    made = json.loads(out.getvalue())
    assert made["version"] == 2 and made["locked"] is False
    call_command("evaluate", "copy", CODE, "--version", "1", "--as", "competitiveness-b", stdout=StringIO())
    assert Scheme.objects.filter(code="competitiveness-b", version=1).exists()
    with pytest.raises(CommandError, match="没有第7版"):
        call_command("evaluate", "copy", CODE, "--version", "7")
    with pytest.raises(CommandError, match="只能由小写字母"):
        call_command("evaluate", "copy", CODE, "--version", "1", "--as", "Bad Code")
    with pytest.raises(CommandError, match="没有第9版"):
        call_command("evaluate", "run", "--scheme", CODE, "--version", "9", "--year", "2025")
    assert Scheme.objects.filter(code=CODE).count() == 2


def test_indicators_are_added_from_the_catalogue_and_removed(province_admin, as_province) -> None:
    copy = scheme_copy(actor=province_admin, scheme=_locked())
    # Swap new_enterprises (0.10) for a second R&D item with a code of its own; an unknown indicator is refused.
    with pytest.raises(ValidationError) as refused:
        scheme_update(actor=province_admin, scheme=copy, base_revision=1, changes={
            "remove": ["new_enterprises"], "add": [{"indicator": "no_such_indicator", "dimension": "主体活力", "weight": "0.10"}]})
    assert "不在指标目录中" in "；".join(refused.value.messages)
    edited = scheme_update(actor=province_admin, scheme=copy, base_revision=1, changes={
        "remove": ["new_enterprises"], "add": [{"indicator": "rd_expenditure", "code": "rd-again", "dimension": "主体活力",
                                                "weight": "0.10", "clause": "测试"}]})
    codes = list(edited.items.order_by("order").values_list("code", flat=True))
    assert "new_enterprises" not in codes and codes[-1] == "rd-again" and len(codes) == 10
    run = evaluation_run_create(actor=province_admin, scheme=edited, year=2025)
    assert _weights(run)["rd-again"] == pytest.approx(0.10)
    # The page: remove employees and add nothing: weights no longer sum to 1, refused naming it.
    form = as_province.get(f"/evaluation/schemes/{copy.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items()}
    refused_page = as_province.post(f"/evaluation/schemes/{copy.pk}/edit/", {**data, "remove_employees": "on"})
    assert "各项权重之和应为 1" in refused_page.content.decode()
    missing = as_province.post(f"/evaluation/schemes/{copy.pk}/edit/", {**data, "add_indicator": "profit"})
    assert "请填写新增指标所属的维度" in missing.content.decode()
    assert Scheme.objects.get(pk=copy.pk).items.count() == 10


def test_the_api_adds_and_removes_indicators(api_province, province_admin) -> None:
    copy = scheme_copy(actor=province_admin, scheme=_locked())
    url = f"/api/v1/evaluation/schemes/{copy.pk}"
    bad = api_province.patch(url, json.dumps({"revision": 1, "remove": ["nothing"]}), content_type="application/json")
    assert bad.status_code == 400 and "要删除的指标不在方案中：nothing" in bad.json()["detail"]
    ok = api_province.patch(url, json.dumps({"revision": 1, "remove": ["new_enterprises"], "add": [
        {"indicator": "profit", "code": "profit-2", "dimension": "主体活力", "weight": 0.10}]}), content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert [i["code"] for i in ok.json()["items"]][-1] == "profit-2"


def test_a_weight_with_more_than_four_places_is_refused_naming_the_item(province_admin) -> None:
    copy = scheme_copy(actor=province_admin, scheme=_locked())
    with pytest.raises(ValidationError) as refused:
        scheme_update(actor=province_admin, scheme=copy, base_revision=1, changes={
            "items": {"revenue": {"weight": "0.14995"}, "profit": {"weight": "0.10005"}}})
    assert "第1项指标（revenue）.weight：权重最多保留四位小数" in refused.value.message_dict["items"]
