"""What publishing a run does: 不合格 puts a recognised cluster on warning, the exit rule proposes exit after
consecutive years, and the province confirms or rejects; shown on the run page, the command and the API."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from jiqun.clusters.models import Cluster, ClusterProposal, ClusterStatus, ProposalState, TierChange
from jiqun.clusters.services import cluster_change_status, cluster_proposal_approve, cluster_proposal_reject
from jiqun.evaluation.models import Run, Scheme
from jiqun.evaluation.packs import SchemePackError, scheme_parse_text
from jiqun.evaluation.services import evaluation_run_create, evaluation_run_publish, scheme_install

pytestmark = pytest.mark.django_db

# High grade lines, so that most clusters are 不合格 in both years the demo has figures for (2025, 2026).
EXIT_RULE = """
code: exit-rule
version: 1
name: 退出规则测试
programme: SD-2023-185
weight_method: fixed
grades: {优秀: 99, 良好: 98, 合格: 97}
items:
  - {dimension: 规模, indicator: revenue, weight: 0.7, clause: 一}
  - {dimension: 主体, indicator: employees, weight: 0.3, clause: 二}
consequences:
  warn_grade: 不合格
  exit_after: 2
  clause: 三(六)：对管理不善、产业松散的集群予以退出
"""


def _scheme(province_admin, text: str = EXIT_RULE) -> Scheme:
    scheme, _ = scheme_install(actor=province_admin, parsed=scheme_parse_text(text, "exit.yaml"))
    return scheme


def _failing_twice(province_admin) -> tuple[Run, Run, Cluster]:
    """Two draft runs (2025, 2026) and a recognised cluster both grade 不合格."""
    scheme = _scheme(province_admin)
    first = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    second = evaluation_run_create(actor=province_admin, scheme=scheme, year=2026)
    failing = set(first.rows.filter(grade="不合格").values_list("cluster_id", flat=True)) \
        & set(second.rows.filter(grade="不合格").values_list("cluster_id", flat=True))
    cluster = Cluster.objects.filter(pk__in=failing).order_by("pk").first()
    if cluster.status == ClusterStatus.CULTIVATING:
        cluster_change_status(actor=province_admin, cluster=cluster, status=ClusterStatus.RECOGNISED, basis="测试：认定")
    return first, second, cluster


def _entries(run: Run, cluster: Cluster) -> list[dict]:
    return [c for c in Run.objects.get(pk=run.pk).consequences if c["cluster"] == cluster.pk]


def test_the_shipped_schemes_carry_their_consequences() -> None:
    sei = Scheme.objects.get(code="sd-sei-2020-yearly", version=1)
    assert (sei.warn_grade, sei.exit_after) == ("不合格", 2) and "三(六)" in sei.consequences_clause
    competitiveness = Scheme.objects.get(code="sd-2023-185-competitiveness", version=1)
    assert (competitiveness.warn_grade, competitiveness.exit_after) == ("不合格", None)
    assert "省级选定" in competitiveness.consequences_clause


def test_two_failing_years_warn_then_propose_exit_which_the_province_confirms(province_admin) -> None:
    first, second, cluster = _failing_twice(province_admin)
    evaluation_run_publish(actor=province_admin, run=first)
    cluster.refresh_from_db()
    assert cluster.status == ClusterStatus.WARNED
    assert [c["action"] for c in _entries(first, cluster)] == ["warned"]
    step = cluster.tier_changes.order_by("-id").first()
    assert step.status == ClusterStatus.WARNED and step.basis == f"评价《退出规则测试》2025年 run #{first.pk}：不合格"
    assert not cluster.proposals.exists()

    evaluation_run_publish(actor=province_admin, run=second)
    entries = _entries(second, cluster)
    assert [c["action"] for c in entries] == ["skipped", "exit_proposed"]
    assert entries[0]["reason"] == "已处于预警状态"
    proposal = ClusterProposal.objects.get(pk=entries[1]["proposal"])
    assert proposal.state == ProposalState.PENDING and proposal.status == ClusterStatus.EXITED
    assert proposal.proposer is None and proposal.proposer_name == "系统"
    assert f"run #{first.pk}" in proposal.reason and f"run #{second.pk}" in proposal.reason

    cluster_proposal_approve(actor=province_admin, proposal=proposal, note="同意退出")
    cluster.refresh_from_db()
    assert cluster.status == ClusterStatus.EXITED
    step = cluster.tier_changes.order_by("-id").first()
    assert step.status == ClusterStatus.EXITED and f"变更申请 #{proposal.pk}" in step.basis
    assert f"run #{first.pk}" in step.basis


def test_the_province_rejects_the_exit_with_a_note_and_the_cluster_stays_warned(province_admin) -> None:
    first, second, cluster = _failing_twice(province_admin)
    evaluation_run_publish(actor=province_admin, run=first)
    evaluation_run_publish(actor=province_admin, run=second)
    proposal = cluster.proposals.get(state=ProposalState.PENDING)
    with pytest.raises(ValidationError):
        cluster_proposal_reject(actor=province_admin, proposal=proposal, note="  ")
    cluster_proposal_reject(actor=province_admin, proposal=proposal, note="已提交整改方案，继续观察一年")
    cluster.refresh_from_db()
    proposal.refresh_from_db()
    assert cluster.status == ClusterStatus.WARNED
    assert proposal.state == ProposalState.REJECTED and proposal.decision_note == "已提交整改方案，继续观察一年"


def test_a_year_without_a_published_run_proposes_no_exit(province_admin) -> None:
    first, second, cluster = _failing_twice(province_admin)
    evaluation_run_publish(actor=province_admin, run=second)
    cluster.refresh_from_db()
    assert cluster.status == ClusterStatus.WARNED
    assert [c["action"] for c in _entries(second, cluster)] == ["warned"]
    assert not cluster.proposals.exists()


def test_a_cluster_that_cannot_move_is_skipped_with_the_reason(province_admin) -> None:
    first, _second, cluster = _failing_twice(province_admin)
    cluster_change_status(actor=province_admin, cluster=cluster, status=ClusterStatus.EXITED, basis="测试：退出")
    steps = cluster.tier_changes.count()
    evaluation_run_publish(actor=province_admin, run=first)
    assert _entries(first, cluster) == [{"cluster": cluster.pk, "name": cluster.name, "grade": "不合格",
                                         "action": "skipped", "reason": "状态为“退出”，不能转为预警"}]
    assert cluster.tier_changes.count() == steps


def test_publishing_twice_does_nothing_twice(province_admin) -> None:
    first, _second, cluster = _failing_twice(province_admin)
    evaluation_run_publish(actor=province_admin, run=first)
    steps, proposals = TierChange.objects.count(), ClusterProposal.objects.count()
    recorded = Run.objects.get(pk=first.pk).consequences
    with pytest.raises(ValidationError):
        evaluation_run_publish(actor=province_admin, run=first)
    assert (TierChange.objects.count(), ClusterProposal.objects.count()) == (steps, proposals)
    assert Run.objects.get(pk=first.pk).consequences == recorded


def test_a_city_officer_cannot_publish_and_nothing_moves(province_admin, jining_officer) -> None:
    first, _second, cluster = _failing_twice(province_admin)
    with pytest.raises(PermissionDenied):
        evaluation_run_publish(actor=jining_officer, run=first)
    cluster.refresh_from_db()
    assert cluster.status == ClusterStatus.RECOGNISED and Run.objects.get(pk=first.pk).consequences == []


@pytest.mark.parametrize(("block", "entry"), [
    ("  warn_grade: 差\n  clause: 一", "consequences.warn_grade"),
    ("  exit_after: 0\n  clause: 一", "consequences.exit_after"),
    ("  exit_after: 2", "consequences.clause"),
    ("  exit_after: 2\n  clause: 一\n  after: 3", "consequences.after"),
])
def test_a_bad_consequences_block_is_refused_and_names_the_entry(block, entry) -> None:
    text = EXIT_RULE.split("consequences:")[0] + "consequences:\n" + block + "\n"
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(text, "bad.yaml")
    assert entry in [where for where, _reason in caught.value.problems]


def test_the_page_the_command_and_the_api_show_the_consequences(province_admin, as_province, api_province) -> None:
    first, second, cluster = _failing_twice(province_admin)
    evaluation_run_publish(actor=province_admin, run=first)
    page = as_province.get(f"/evaluation/runs/{first.pk}/").content.decode()
    assert "发布的后果" in page and 'id="consequences"' in page and "转为预警" in page
    scheme_page = as_province.get(f"/evaluation/schemes/{first.scheme_id}/").content.decode()
    assert "连续 2 个年度评为该等级的集群由系统提议退出" in scheme_page

    from io import StringIO
    out = StringIO()
    call_command("evaluate", "publish", str(second.pk), stdout=out)
    assert f"{cluster.name}（不合格）提议退出" in out.getvalue()

    schemes = {s["code"]: s for s in api_province.get("/api/v1/evaluation/schemes").json()}
    assert schemes["exit-rule"]["consequences"]["exit_after"] == 2
    body = api_province.get(f"/api/v1/evaluation/runs/{second.pk}").json()
    mine = [c for c in body["consequences"] if c["cluster"] == cluster.pk]
    assert [c["action"] for c in mine] == ["skipped", "exit_proposed"] and mine[1]["proposal"]

    from django.urls import reverse
    listed = as_province.get(reverse("clusters:proposals")).content.decode()
    assert f"run #{second.pk}" in listed and "系统" in listed


def test_the_upgrade_of_locked_shipped_schemes_matches_the_files() -> None:
    """0002 gives databases holding the earlier shipped files the same rule, under the files' current hash."""
    import importlib

    from jiqun.evaluation.packs import SCHEME_DIR, scheme_parse

    upgrade = importlib.import_module("jiqun.evaluation.migrations.0002_consequences")
    for code, _old, new, grade, exit_after, clause in upgrade.SHIPPED:
        parsed = scheme_parse(SCHEME_DIR / f"{code}.yaml")
        assert parsed.sha256 == new
        assert (parsed.spec.consequences.warn_grade, parsed.spec.consequences.exit_after,
                parsed.spec.consequences.clause) == (grade, exit_after, clause)


def test_the_upgrade_gives_a_locked_earlier_version_its_rule() -> None:
    import importlib

    from django.apps import apps

    upgrade = importlib.import_module("jiqun.evaluation.migrations.0002_consequences")
    code, old, new, *_rest = upgrade.SHIPPED[0]
    Scheme.objects.filter(code=code, version=1).update(pack_hash=old, warn_grade="", exit_after=None,
                                                       consequences_clause="", locked=True)
    upgrade.shipped_rules(apps, None)
    scheme = Scheme.objects.get(code=code, version=1)
    assert (scheme.pack_hash, scheme.warn_grade, scheme.exit_after) == (new, "不合格", 2)
    from jiqun.evaluation.demo import schemes_load

    assert schemes_load() == 0  # the shipped files load again without the lock refusing them
