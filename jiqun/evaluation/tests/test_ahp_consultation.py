"""The experts' AHP consultation: opening it, entering judgements (refused when inconsistent), stale saves,
what an expert sees, and closing it: the AIJ aggregation against a hand computation, weights that sum to 1
and a run that uses them."""

import json
import math
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from jiqun.accounts.models import Role, User
from jiqun.accounts.services import user_create
from jiqun.audit.models import AuditEvent
from jiqun.core.stale import StaleEdit
from jiqun.evaluation.ahp_services import (
    consultation_close,
    consultation_open,
    judgements_save,
    judgements_submit,
)
from jiqun.evaluation.models import AhpConsultation, AhpInvitation, Run, Scheme
from jiqun.evaluation.packs import scheme_parse_text
from jiqun.evaluation.services import evaluation_run_create, scheme_install
from jiqun.recognition.models import Expert
from jiqun.recognition.services.experts import expert_create

pytestmark = pytest.mark.django_db

THREE_DIMENSIONS = """
code: ahp-hand
version: 1
name: 三个维度
programme: SD-2023-185
weight_method: fixed
normalisation: max
aggregation: weighted_sum
grades: {优秀: 85, 良好: 70, 合格: 60}
items:
  - {dimension: 规模, indicator: revenue, weight: 0.3}
  - {dimension: 规模, indicator: output_value, weight: 0.2}
  - {dimension: 主体, indicator: employees, weight: 0.3}
  - {dimension: 效益, indicator: profit, weight: 0.2}
"""
CONSISTENT = {"D": ["2", "4", "2"], "D1": ["3"]}
INCONSISTENT = {"D": ["9", "1/9", "9"], "D1": ["1/3"]}
REVISED = {"D": ["1", "2", "2"], "D1": ["1/3"]}


def _events():
    return AuditEvent.objects.exclude(action="denied")


@pytest.fixture
def scheme(province_admin) -> Scheme:
    made, _changed = scheme_install(actor=province_admin, parsed=scheme_parse_text(THREE_DIMENSIONS, "hand.yaml"))
    return made


@pytest.fixture
def experts() -> tuple[Expert, Expert]:
    return expert_pair()


def expert_pair() -> tuple[Expert, Expert]:
    """zhuanjia's expert record and a second expert with an account of its own."""
    first = Expert.objects.get(user__username="zhuanjia")
    user = user_create(actor=None, username="zhuanjia2", password="Jiqun@2026demo-2", role=Role.EXPERT,
                       region=first.user.region, full_name="第二专家")
    second = expert_create(actor=None, name="第二专家", field="产业经济", organisation="测试大学", user=user)
    return first, second


@pytest.fixture
def consultation(province_admin, scheme, experts) -> AhpConsultation:
    return consultation_open(actor=province_admin, scheme=scheme, experts=experts)


def _invitation(consultation: AhpConsultation, expert: Expert) -> AhpInvitation:
    return consultation.invitations.get(expert=expert)


def test_it_asks_for_the_dimensions_and_each_dimension_with_two_or_more_indicators(consultation) -> None:
    from jiqun.evaluation.ahp_services import consultation_matrices

    matrices = consultation_matrices(consultation)
    assert [(m.key, len(m.pairs)) for m in matrices] == [("D", 3), ("D1", 1)]
    assert consultation.invitations.count() == 2


def test_an_inconsistent_expert_is_refused_naming_the_matrix_then_aggregation_matches_the_hand(
        province_admin, scheme, experts, consultation) -> None:
    first, second = experts
    mine, theirs = _invitation(consultation, first), _invitation(consultation, second)
    mine = judgements_save(actor=first.user, invitation=mine, judgements=CONSISTENT, base_version=1)
    assert mine.consistency["D"] == 0.0
    judgements_submit(actor=first.user, invitation=mine)
    theirs = judgements_save(actor=second.user, invitation=theirs, judgements=INCONSISTENT, base_version=1)
    assert theirs.consistency["D"] > 0.1
    with pytest.raises(ValidationError) as refused:
        judgements_submit(actor=second.user, invitation=theirs)
    assert "维度之间" in refused.value.messages[0] and "CR" in refused.value.messages[0]
    theirs = judgements_save(actor=second.user, invitation=theirs, judgements=REVISED, base_version=theirs.version)
    judgements_submit(actor=second.user, invitation=theirs)

    before = _events().count()
    closed = consultation_close(actor=province_admin, consultation=consultation)
    assert _events().count() == before + 1
    # By hand: the geometric means are a12 = √2, a13 = √8, a23 = 2 (consistent), so the dimensions weigh
    # 2√2 : 2 : 1; within 规模 √(3 · 1/3) = 1 splits it evenly.
    total = 3 + 2 * math.sqrt(2)
    expected = {"revenue": math.sqrt(2) / total, "output_value": math.sqrt(2) / total,
                "employees": 2 / total, "profit": 1 / total}
    for code, weight in expected.items():
        assert closed.result["weights"][code] == pytest.approx(weight, abs=1e-9)
    assert closed.result["matrices"]["D"]["matrix"][0][1] == pytest.approx(math.sqrt(2))
    assert sum(closed.result["weights"].values()) == pytest.approx(1)
    scheme.refresh_from_db()
    assert scheme.weight_method == "ahp" and scheme.ahp_judgements["form"] == "two-level"
    stored = {i.code: i.weight for i in scheme.items.all()}
    assert sum(stored.values()) == Decimal(1)
    assert stored["employees"] == Decimal("0.3432")  # 0.3431 and the rounding remainder, to sum to 1
    assert {e["expert"] for e in closed.result["experts"]} == {first.name, second.name}

    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    used = run.result["engine"]["weights"]
    weights = dict(zip(used["criteria"], used["weights"], strict=True))
    for code, weight in expected.items():
        assert weights[code] == pytest.approx(weight, abs=1e-9)
    assert used["method"] == "ahp-hierarchy"


def test_a_stale_save_is_refused_and_changes_nothing(consultation, experts) -> None:
    first, _second = experts
    mine = _invitation(consultation, first)
    judgements_save(actor=first.user, invitation=mine, judgements=CONSISTENT, base_version=1)
    with pytest.raises(StaleEdit):
        judgements_save(actor=first.user, invitation=mine, judgements=REVISED, base_version=1)
    mine.refresh_from_db()
    assert mine.judgements == CONSISTENT and mine.version == 2


def test_bad_judgements_are_refused_naming_matrix_and_pair(consultation, experts) -> None:
    first, _second = experts
    mine = _invitation(consultation, first)
    with pytest.raises(ValidationError) as refused:
        judgements_save(actor=first.user, invitation=mine, judgements={"D": ["2", "10", "2"], "X": []},
                        base_version=1)
    text = "；".join(refused.value.messages)
    assert "没有这些判断矩阵：X" in text
    assert "“营业收入”" not in text and "维度之间：“规模”与“效益”的判断“10”不在 1/9 至 9 的标度上" in text
    mine.refresh_from_db()
    assert mine.judgements == {} and mine.version == 1


def test_only_the_invited_expert_enters_its_judgements(consultation, experts, province_admin) -> None:
    first, second = experts
    with pytest.raises(PermissionDenied):
        judgements_save(actor=second.user, invitation=_invitation(consultation, first), judgements=CONSISTENT,
                        base_version=1)
    with pytest.raises(PermissionDenied):
        judgements_save(actor=province_admin, invitation=_invitation(consultation, first), judgements=CONSISTENT,
                        base_version=1)


def test_an_expert_sees_only_its_invitations_and_consultations(consultation, experts, province_admin, scheme) -> None:
    first, second = experts
    assert list(AhpInvitation.objects.for_user(first.user)) == [_invitation(consultation, first)]
    other = Scheme.objects.get(code="sd-sei-2020-yearly", version=1)
    elsewhere = consultation_open(actor=province_admin, scheme=other, experts=[second])
    assert list(AhpConsultation.objects.for_user(first.user)) == [consultation]
    assert elsewhere not in AhpConsultation.objects.for_user(first.user)
    assert AhpConsultation.objects.for_user(province_admin).count() == AhpConsultation.objects.count()
    jinan = User.objects.get(username="jinan")
    assert not AhpConsultation.objects.for_user(jinan).exists() and not AhpInvitation.objects.for_user(jinan).exists()


def test_it_refuses_a_locked_version_and_closing_without_submissions(province_admin, experts, consultation) -> None:
    locked = Scheme.objects.get(code="sd-2023-185-competitiveness", version=1)
    with pytest.raises(ValidationError) as refused:
        consultation_open(actor=province_admin, scheme=locked, experts=experts)
    assert "复制为新版本" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        consultation_close(actor=province_admin, consultation=consultation)
    assert not Run.objects.filter(scheme=consultation.scheme).exists()


def test_a_city_cannot_open_a_consultation(jinan_officer, scheme, experts) -> None:
    with pytest.raises(PermissionDenied):
        consultation_open(actor=jinan_officer, scheme=scheme, experts=experts)


# --- pages, API and command line ------------------------------------------------------------------------

def _form(invitation: AhpInvitation, judgements: dict[str, list[str]], **extra) -> dict:
    from jiqun.evaluation.ahp_services import consultation_matrices

    data = {"version": invitation.version, **extra}
    for matrix in consultation_matrices(invitation.consultation):
        for n, (i, j) in enumerate(matrix.pairs):
            data[f"{matrix.key}_{i}_{j}"] = judgements.get(matrix.key, [""] * len(matrix.pairs))[n]
    return data


def test_the_expert_page_saves_shows_cr_in_red_and_refuses_submitting(consultation, experts) -> None:
    from jiqun.conftest import client_for

    first, second = experts
    mine, theirs = _invitation(consultation, first), _invitation(consultation, second)
    client = client_for(first.user)
    listing = client.get("/evaluation/ahp/").content.decode()
    assert f"/evaluation/ahp/invitations/{mine.pk}/" in listing and f"/evaluation/ahp/invitations/{theirs.pk}/" not in listing
    assert client.get(f"/evaluation/ahp/invitations/{theirs.pk}/").status_code == 404
    bad = client.post(f"/evaluation/ahp/invitations/{mine.pk}/", _form(mine, {"D": ["2", "11", "2"]}))
    assert bad.status_code == 200 and "“规模”与“效益”的判断不在 1/9 至 9 的标度上" in bad.content.decode()
    half = client.post(f"/evaluation/ahp/invitations/{mine.pk}/", _form(mine, {"D": ["2", "", "2"]}))
    assert "维度之间：请填写全部 3 个判断" in half.content.decode()
    mine.refresh_from_db()
    assert mine.judgements == {} and mine.version == 1
    refused = client.post(f"/evaluation/ahp/invitations/{mine.pk}/", _form(mine, INCONSISTENT, submit="1"), follow=True)
    page = refused.content.decode()
    assert "不能提交：维度之间：一致性比率 CR" in page and 'class="tag warn">CR =' in page
    mine.refresh_from_db()
    assert mine.status == "invited" and mine.consistency["D"] > 0.1
    stale = client.post(f"/evaluation/ahp/invitations/{mine.pk}/", _form(mine, CONSISTENT, version=1))
    assert "请刷新后重新填写" in stale.content.decode()
    done = client.post(f"/evaluation/ahp/invitations/{mine.pk}/", _form(mine, CONSISTENT, submit="1"), follow=True)
    assert "判断已提交" in done.content.decode()
    assert AhpInvitation.objects.get(pk=mine.pk).status == "submitted"


def test_the_province_closes_on_the_page_and_the_scheme_lists_each_cr(consultation, experts, as_province) -> None:
    first, _second = experts
    mine = _invitation(consultation, first)
    mine = judgements_save(actor=first.user, invitation=mine, judgements=CONSISTENT, base_version=1)
    judgements_submit(actor=first.user, invitation=mine)
    response = as_province.post(f"/evaluation/ahp/{consultation.pk}/close/", follow=True)
    assert "征询已结束" in response.content.decode()
    page = as_province.get(f"/evaluation/schemes/{consultation.scheme_id}/").content.decode()
    assert first.name in page and "集结（几何平均）" in page and "层次分析法" in page


def test_the_api_gives_the_expert_its_matrices_and_takes_its_judgements(consultation, experts) -> None:
    from jiqun.conftest import token_client

    first, second = experts
    mine, theirs = _invitation(consultation, first), _invitation(consultation, second)
    api = token_client(first.user)
    listed = api.get("/api/v1/evaluation/ahp/invitations").json()
    assert [i["id"] for i in listed] == [mine.pk]
    assert api.get(f"/api/v1/evaluation/ahp/invitations/{theirs.pk}").status_code == 404
    got = api.get(f"/api/v1/evaluation/ahp/invitations/{mine.pk}").json()
    assert [m["key"] for m in got["matrices"]] == ["D", "D1"] and got["matrices"][0]["pairs"][0] == ["规模", "主体"]
    url = f"/api/v1/evaluation/ahp/invitations/{mine.pk}/judgements"
    bad = api.put(url, json.dumps({"version": 1, "judgements": {"D": ["2", "0", "2"]}}), content_type="application/json")
    assert bad.status_code == 400 and "“规模”与“效益”的判断“0”不在 1/9 至 9 的标度上" in bad.json()["detail"]
    refused = api.put(url, json.dumps({"version": 1, "judgements": INCONSISTENT, "submit": True}),
                      content_type="application/json")
    assert refused.status_code == 400 and "维度之间" in refused.json()["detail"]
    stale = api.put(url, json.dumps({"version": 1, "judgements": CONSISTENT}), content_type="application/json")
    assert stale.status_code == 412
    ok = api.put(url, json.dumps({"version": 2, "judgements": CONSISTENT, "submit": True}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "submitted" and ok.json()["matrices"][0]["cr"] == 0.0


def test_the_command_reports_the_status_and_refuses_a_bad_id(consultation, experts, province_admin) -> None:
    first, _second = experts
    mine = judgements_save(actor=first.user, invitation=_invitation(consultation, first), judgements=INCONSISTENT,
                           base_version=1)
    out = StringIO()
    call_command("evaluate", "ahp", "status", str(consultation.scheme_id), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["consultations"][0]["experts"][0]["consistency"]["D"] == mine.consistency["D"]
    text = StringIO()
    call_command("evaluate", "ahp", "status", str(consultation.scheme_id), stdout=text)
    assert "（超过 0.10）" in text.getvalue()
    with pytest.raises(CommandError, match="方案编号应为数字"):
        call_command("evaluate", "ahp", "status", "abc")
    with pytest.raises(CommandError, match="不存在"):
        call_command("evaluate", "ahp", "status", "999999")


def test_the_pages_work_in_english(consultation, experts, as_province) -> None:
    first, _second = experts
    mine = judgements_save(actor=first.user, invitation=_invitation(consultation, first), judgements=CONSISTENT,
                           base_version=1)
    judgements_submit(actor=first.user, invitation=mine)
    consultation_close(actor=None, consultation=consultation)
    as_province.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for url in (f"/evaluation/ahp/{consultation.pk}/", f"/evaluation/ahp/invitations/{mine.pk}/", "/evaluation/ahp/",
                f"/evaluation/schemes/{consultation.scheme_id}/", f"/evaluation/schemes/{consultation.scheme_id}/ahp/"):
        assert as_province.get(url).status_code == 200, url
    page = as_province.get(f"/evaluation/ahp/{consultation.pk}/").content.decode()
    assert 'data-item="employees"' in page and "0.3432" not in page  # the page shows unrounded weights: 0.3431
