"""A whole round: five experts (one conflicted), trimmed means by hand, ranking within the quota, one objection
during 公示 answered, and finalising through the cluster lifecycle services."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster, ClusterStatus, Tier
from jiqun.recognition.models import Application, Assignment, CallStatus
from jiqun.recognition.services import (
    application_create,
    assignment_create,
    call_close,
    call_finalise,
    call_publicise,
    objection_answer,
    objection_record,
    scores_submit,
)
from jiqun.recognition.tests.conftest import TEXTS, TODAY, scores

pytestmark = pytest.mark.django_db

# Each expert's score (the same on every aspect) per cluster; expert 4 stands aside for 动力装备.
SCORES = {
    "动力装备": [85, 85, 80, 90],  # four scores: plain mean 85
    "高端铝业": [90, 80, 70, 60, 95],  # drop 95 and 60: (90 + 80 + 70) / 3 = 80
    "新能源汽车": [70, 72, 74, 76, 50],  # drop 76 and 50: (70 + 72 + 74) / 3 = 72
}


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def review(sheng, call, applications, experts) -> dict[str, list[Assignment]]:
    call_close(actor=sheng, call=call)
    made = {}
    for name, values in SCORES.items():
        application = applications[name]
        made[name] = []
        for expert, value in zip([e for e in experts if not (name == "动力装备" and e is experts[4])], values,
                                 strict=True):
            assignment = assignment_create(actor=sheng, application=application, expert=expert)
            scores_submit(actor=expert.user, assignment=assignment, base_version=assignment.version, scores=scores(value),
                          comments={"basis": "意见"})
            made[name].append(assignment)
    return made


def test_the_screen_says_which_threshold_failed(applications) -> None:
    chem = applications["化工新材料"]
    assert not chem.eligible
    value = Decimal(chem.figures["revenue"]["value"])
    assert value < Decimal(15_000_000)
    assert chem.screen[0]["reason"] == f"主营业务收入 {value.normalize():f} 万元 低于门槛 15000000 万元"
    assert applications["动力装备"].eligible
    sources = applications["动力装备"].figures["revenue"]["sources"]
    assert len(sources) == 1 and sources[0]["report"] and sources[0]["revision"] >= 1  # provenance kept


def test_a_whole_round_recognises_the_winners_through_the_cluster_services(
        sheng, call, applications, experts, clusters) -> None:
    review(sheng, call, applications, experts)
    with pytest.raises(ValidationError, match="已申报与集群“动力装备”回避：曾任该集群顾问"):
        assignment_create(actor=sheng, application=applications["动力装备"], expert=experts[4])
    with pytest.raises(ValidationError, match="未通过资格审查"):
        assignment_create(actor=sheng, application=applications["化工新材料"], expert=experts[0])

    call_publicise(actor=sheng, call=call, objection_until=TODAY + datetime.timedelta(days=7), today=TODAY)
    results = {a.cluster.name: a for a in Application.objects.filter(call=call, eligible=True)}
    revenue = {name: Decimal(a.figures["revenue"]["value"]) for name, a in results.items()}
    best = max(revenue.values())
    expert = {"动力装备": Decimal(85), "高端铝业": Decimal(80), "新能源汽车": Decimal(72)}
    for name, application in results.items():
        quantitative = revenue[name] * 100 / best
        assert application.expert_score == expert[name]
        assert application.quantitative_score == cents(quantitative)
        assert application.final_score == cents(quantitative * Decimal("0.2") + expert[name] * Decimal("0.8"))
    ranked = sorted(results.values(), key=lambda a: -a.final_score)
    assert [a.rank for a in ranked] == [1, 2, 3]
    assert [a.selected for a in ranked] == [True, True, False]  # quota 2
    assert Application.objects.get(pk=applications["化工新材料"].pk).rank is None

    winner = ranked[0]
    objection = objection_record(actor=sheng, application=winner, objector="某企业", content="数据有误",
                                 today=TODAY + datetime.timedelta(days=2))
    after = TODAY + datetime.timedelta(days=8)
    with pytest.raises(ValidationError, match="异议尚未答复"):
        call_finalise(actor=sheng, call=call, today=after)
    objection_answer(actor=sheng, objection=objection, answer="经核实，数据取自省级审核通过的报表，异议不成立")
    with pytest.raises(ValidationError, match="期满后"):
        call_finalise(actor=sheng, call=call, today=TODAY + datetime.timedelta(days=7))
    call_finalise(actor=sheng, call=call, today=after)

    assert call.status == CallStatus.DONE
    for application in ranked:
        cluster = Cluster.objects.get(pk=application.cluster_id)
        if application.selected:
            assert (cluster.tier, cluster.status) == (Tier.PROVINCIAL, ClusterStatus.RECOGNISED)
            change = cluster.tier_changes.filter(tier=Tier.PROVINCIAL).first()
            assert "赛马认定：测试批次" in change.basis and f"第 {application.rank} 名" in change.basis
        else:
            assert (cluster.tier, cluster.status) == ("", ClusterStatus.CULTIVATING)
    moves = AuditEvent.objects.exclude(action="denied").filter(object_type="recognition.call",
                                                               object_id=str(call.pk))
    assert moves.count() == 5  # created, opened, closed, publicised, finalised


def test_publicising_waits_for_every_score(sheng, call, applications, experts) -> None:
    call_close(actor=sheng, call=call)
    assignment_create(actor=sheng, application=applications["动力装备"], expert=experts[0])
    with pytest.raises(ValidationError, match="评审尚未完成") as refused:
        call_publicise(actor=sheng, call=call, objection_until=TODAY, today=TODAY)
    assert "待专家0评分" in str(refused.value) and "高端铝业（未分配专家" in str(refused.value)
    assert call.status == CallStatus.REVIEW


def test_the_assignment_refuses_an_expert_of_the_clusters_city(sheng, call, experts) -> None:
    from jiqun.recognition.services import expert_create
    from jiqun.regions.models import Region

    jining = Cluster.objects.filter(regions__code="370800").first()
    local = expert_create(actor=sheng, name="本地专家", field="制造", organisation="济宁学院",
                          city=Region.objects.get(code="370800"))
    application = Application(call=call, cluster=jining)
    from jiqun.recognition.services import assignment_refusal

    assert "所在城市（济宁市）与集群" in assignment_refusal(local, application)
    assert assignment_refusal(experts[0], application) == ""


def test_a_score_out_of_range_is_refused_and_changes_nothing(sheng, call, applications, experts) -> None:
    call_close(actor=sheng, call=call)
    assignment = assignment_create(actor=sheng, application=applications["动力装备"], expert=experts[0])
    bad = scores(80) | {"goals": "101"}
    with pytest.raises(ValidationError, match="“提升目标”的评分须在 0 到 100 之间，收到 101"):
        scores_submit(actor=experts[0].user, assignment=assignment, base_version=assignment.version, scores=bad)
    assignment.refresh_from_db()
    assert assignment.submitted_at is None and assignment.scores == {}


def test_only_the_assigned_expert_scores(sheng, call, applications, experts) -> None:
    call_close(actor=sheng, call=call)
    assignment = assignment_create(actor=sheng, application=applications["动力装备"], expert=experts[0])
    with pytest.raises(PermissionDenied):
        scores_submit(actor=experts[1].user, assignment=assignment, base_version=assignment.version, scores=scores(80))
    with pytest.raises(PermissionDenied):
        scores_submit(actor=sheng, assignment=assignment, base_version=assignment.version, scores=scores(80))


def test_a_cluster_organisation_applies_for_its_own_cluster_only(sheng) -> None:
    from jiqun.accounts.models import User
    from jiqun.recognition.services import call_create, call_open

    org = User.objects.get(username="jiqun_org")
    own = org.clusters.get()
    other = Cluster.objects.filter(programme=own.programme).exclude(pk=own.pk).first()
    call = call_open(actor=sheng, call=call_create(
        actor=sheng, programme=own.programme, title="济宁测试批次", tier_sought=Tier.NATIONAL, quota=1,
        deadline=datetime.date(2026, 6, 30), data_year=2025, quantitative_weight=Decimal(0),
        aspect_weights={"basis": 1}))
    with pytest.raises(PermissionDenied, match="只有该集群的促进机构"):
        application_create(actor=org, call=call, cluster=other, texts=TEXTS, today=TODAY)
    application = application_create(actor=org, call=call, cluster=own, texts=TEXTS, today=TODAY)
    assert application.applicant == "jiqun_org" and application.eligible  # no thresholds
    with pytest.raises(ValidationError, match="已申报本批次"):
        application_create(actor=org, call=call, cluster=own, texts=TEXTS, today=TODAY)


def test_an_application_missing_a_part_is_refused_naming_it(call, clusters) -> None:
    with pytest.raises(ValidationError) as refused:
        application_create(actor=None, call=call, cluster=clusters["动力装备"], texts=TEXTS | {"measures": " "},
                           today=TODAY)
    assert refused.value.message_dict == {"measures": ["请填写“具体举措”"]}
    assert not Application.objects.filter(call=call).exists()


def test_a_call_with_bad_weights_is_refused(sheng, programme) -> None:
    from jiqun.recognition.services import call_create

    with pytest.raises(ValidationError) as refused:
        call_create(actor=sheng, programme=programme, title="坏批次", tier_sought=Tier.PROVINCIAL, quota=0,
                    deadline=TODAY, data_year=2025, quantitative_weight=Decimal("1.5"),
                    aspect_weights={"basis": "x"}, thresholds=[("nope", Decimal(1))])
    errors = refused.value.message_dict
    assert errors["quota"] == ["名额至少为 1"]
    assert errors["quantitative_weight"] == ["量化得分权重须在 0 到 1 之间"]
    assert errors["thresholds"] == ["指标 nope 不在指标目录中"]
    assert errors["aspect_weights"] == ["评审要点“发展基础”的权重“x”不是数字"]


def test_an_exited_or_already_higher_cluster_cannot_apply(sheng, call, clusters) -> None:
    from jiqun.clusters.services import cluster_change_status, cluster_change_tier

    power = clusters["动力装备"]
    cluster_change_tier(actor=sheng, cluster=power, tier=Tier.NATIONAL, basis="测试")
    with pytest.raises(ValidationError, match="当前层级为“国家级”，不能申报“省级”"):
        application_create(actor=None, call=call, cluster=power, texts=TEXTS, today=TODAY)
    aluminium = clusters["高端铝业"]
    cluster_change_status(actor=sheng, cluster=aluminium, status=ClusterStatus.EXITED, basis="测试")
    with pytest.raises(ValidationError, match="已退出培育"):
        application_create(actor=None, call=call, cluster=aluminium, texts=TEXTS, today=TODAY)
    assert not Application.objects.filter(call=call).exists()
