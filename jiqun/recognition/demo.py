"""A 赛马 round in progress for the demo: SD-2023-185 provincial recognition in 评审中, three experts (one with a
declared conflict), four applications (one below the revenue threshold), so that the expert `zhuanjia` has
applications to score. Everything is written by the system through the services and labelled 演示."""

import datetime
from decimal import Decimal

from jiqun.accounts.models import User
from jiqun.clusters.models import Cluster, Tier
from jiqun.programmes.models import Programme
from jiqun.recognition.models import ASPECT_CODES, Call
from jiqun.recognition.services import (
    application_create,
    assignment_create,
    call_close,
    call_create,
    call_open,
    conflict_declare,
    expert_create,
    scores_submit,
)
from jiqun.regions.models import Region

TITLE = "2026年度省级先进制造业集群赛马认定（演示）"
APPLICANTS = ["动力装备", "高端铝业", "新能源汽车", "化工新材料"]
# name, field, organisation, city, account
EXPERTS = [
    ("王立新（演示）", "先进制造与产业经济", "山东大学（演示）", "370100", "zhuanjia"),
    ("李敏（演示）", "海洋工程与新能源装备", "中国海洋大学（演示）", "370200", None),
    ("赵志强（演示）", "新材料", "山东省产业技术研究院（演示）", "370100", None),
]
TEXTS = {
    "basis": "集群规模、龙头企业、创新平台与配套情况（演示文本）。",
    "approach": "围绕产业链关键环节强链补链，建设世界级产业集群（演示文本）。",
    "goals": "到2028年营业收入、研发投入强度和高新技术企业数量的目标（演示文本）。",
    "tasks": "龙头带动、链式配套、创新平台、数字化转型四项重点任务（演示文本）。",
    "measures": "设立集群促进机构、实施链长制、建立项目库（演示文本）。",
    "safeguards": "组织、资金、土地、人才保障措施（演示文本）。",
}


def demo_recognition_generate() -> int:
    """Create the demo round once; return the number of applications created."""
    programme = Programme.objects.filter(code="SD-2023-185").first()
    if programme is None or Call.objects.filter(title=TITLE).exists():
        return 0
    deadline = datetime.date(2026, 11, 30)
    call = call_create(
        actor=None, programme=programme, title=TITLE, tier_sought=Tier.PROVINCIAL, quota=2, deadline=deadline,
        data_year=2025, quantitative_weight=Decimal("0.30"),
        aspect_weights={"basis": 2, "approach": 1, "goals": 1, "tasks": 2, "measures": 2, "safeguards": 1},
        quantitative_indicators=["revenue", "rd_expenditure", "tech_platforms"],
        thresholds=[("revenue", Decimal(15_000_000))],  # 主营业务收入 ≥ 1500 亿元 (万元)
    )
    call_open(actor=None, call=call)
    applications = []
    for name in APPLICANTS:
        cluster = Cluster.objects.filter(programme=programme, name=name).first()
        if cluster is not None:
            applications.append(application_create(actor=None, call=call, cluster=cluster, texts=TEXTS,
                                                   today=deadline))
    call_close(actor=None, call=call)
    experts = []
    for name, field, organisation, city, username in EXPERTS:
        experts.append(expert_create(actor=None, name=name, field=field, organisation=organisation,
                                     city=Region.objects.get(code=city), contact="0531-00000000（演示）",
                                     user=User.objects.filter(username=username).first() if username else None))
    conflicted = next((a for a in applications if a.cluster.name == "高端铝业"), None)
    if conflicted is not None:
        conflict_declare(actor=None, expert=experts[2], cluster=conflicted.cluster,
                         reason="曾为该集群龙头企业提供技术咨询（演示）")
    for application in applications:
        if not application.eligible:
            continue
        for expert in experts:
            if expert is experts[2] and application is conflicted:
                continue  # the assignment service would refuse it: the assign page shows why
            assignment = assignment_create(actor=None, application=application, expert=expert)
            if expert is experts[1]:
                scores_submit(actor=None, assignment=assignment, base_version=assignment.version,
                              scores={code: Decimal(78 + i * 2) for i, code in enumerate(ASPECT_CODES)},
                              comments={"basis": "基础扎实（演示）"})
    return len(applications)
