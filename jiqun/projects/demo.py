"""Demo projects (演示数据): the projects the Jining 231 document (seed 004) names, in the parks and clusters it
names, and a few for provincial clusters (SD-SEI-2020, SD-2023-185), each at a plausible stage.

The names, parks and clusters are the documents'; investments, dates, leaders, year plans and constraints are
generated and labelled 演示数据 (the `source` of each project says so). Every write goes through the services,
as the system (actor None), so the stage events and the audit trail are those a user's moves would leave.
One project is suspended (停缓建), one constraint is past its deadline, and some planned dates have passed
unreached, so the overdue list has work. Running it again adds nothing.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from jiqun.clusters.models import Cluster
from jiqun.enterprises.models import Enterprise
from jiqun.projects.models import Project, Stage
from jiqun.projects.services import (
    constraint_close,
    constraint_raise,
    project_create,
    project_move_stage,
    project_plan_year,
)
from jiqun.regions.models import Region, Zone

DEMO = "演示数据"
D = datetime.date


@dataclass
class DemoProject:
    code: str
    name: str
    clusters: list[tuple[str, str]]  # (programme code, cluster code)
    region: str
    zone: str | None
    investor: str  # a registry enterprise's name, or an outside company's
    total: int  # 万元
    kind: str
    level: str  # "" or a MajorLevel value
    source: str
    signed_on: datetime.date | None
    planned: tuple[datetime.date | None, datetime.date | None, datetime.date | None]  # start, completion, production
    moves: list[tuple[str, datetime.date, str]]  # (stage, reached on, evidence or reason)
    plans: dict[int, int] = field(default_factory=dict)
    constraints: list[tuple] = field(default_factory=list)  # (kind, description, unit, deadline, decision or "")
    segment: str = ""
    leader: str = "市级包保领导（演示）"
    unit: str = ""
    entered: datetime.date = D(2023, 6, 30)


JN = "JN-2020-231"
CHEM, ENERGY, MATERIALS, NGIT = (JN, "high-end-chemical"), (JN, "new-energy"), (JN, "new-materials"), (JN, "ngit")

PROJECTS: list[DemoProject] = [
    DemoProject(
        "370828-2023-0001", "七洲绿色化工项目", [CHEM], "370828", "济宁化工产业园(金乡)", "七洲绿色化工",
        350000, "investment", "city", "004 二(二)2：加快七洲绿色化工项目建设（投资额、日期为演示数据）", D(2023, 8, 18),
        (D(2024, 4, 30), D(2026, 6, 30), D(2026, 12, 31)),
        [(Stage.RESERVE, D(2023, 10, 10), "市重点项目储备库（演示）"), (Stage.STARTED, D(2024, 5, 20), "施工许可证（演示）")],
        {2025: 120000, 2026: 90000},
        [("energy", "新增煤耗指标缺口 8 万吨标准煤（演示）", "市发展改革委", D(2027, 1, 31), "")],
        segment="化工新材料", unit="金乡县化工产业园服务专班"),
    DemoProject(
        "370883-2022-0001", "荣信煤化甲醇制乙醇项目", [CHEM, ENERGY], "370883", "邹城化工产业园", "荣信煤化",
        600000, "chain_support", "province", "004 二(二)2：推进荣信煤化甲醇制乙醇等项目建设（投资额、日期为演示数据）",
        D(2022, 5, 12), (D(2023, 3, 31), D(2025, 12, 31), D(2026, 6, 30)),
        [(Stage.RESERVE, D(2022, 8, 1), "省重点项目名单（演示）"), (Stage.STARTED, D(2023, 4, 18), "开工令（演示）"),
         (Stage.COMPLETED, D(2026, 3, 28), "竣工验收报告（演示）")],
        {2025: 150000, 2026: 60000},
        [("environment", "环评批复前须腾出 VOCs 排放总量（演示）", "济宁市生态环境局邹城分局", D(2025, 12, 31),
          "区域内关停两套落后装置，调剂总量指标（演示）")],
        segment="甲醇原料深加工", entered=D(2022, 5, 12), unit="邹城市重点项目服务专班"),
    DemoProject(
        "370883-2023-0002", "邹城荣信煤化“氢气岛”项目", [ENERGY], "370883", "邹城化工产业园", "荣信煤化",
        180000, "demonstration", "city", "004 二(四)2：重点抓好邹城荣信煤化“氢气岛”（投资额、日期为演示数据）",
        D(2023, 9, 6), (D(2024, 6, 30), D(2026, 12, 31), D(2027, 6, 30)),
        [(Stage.RESERVE, D(2023, 11, 2), "市重点项目储备库（演示）"), (Stage.STARTED, D(2024, 7, 16), "开工令（演示）")],
        {2025: 60000, 2026: 70000}, segment="制氢、纯化", unit="邹城市重点项目服务专班"),
    DemoProject(
        "370800-2024-0001", "山能新能源研发创新中心", [ENERGY], "370800", "济宁经济技术开发区", "山能",
        50000, "service_platform", "city", "004 二(四)2：重点抓好山能新能源研发创新中心（投资额、日期为演示数据）",
        D(2024, 3, 15), (D(2025, 3, 31), D(2026, 12, 31), None),
        [(Stage.RESERVE, D(2024, 5, 8), "市重点项目储备库（演示）"), (Stage.STARTED, D(2025, 4, 10), "施工许可证（演示）")],
        {2025: 20000, 2026: 25000},
        [("funding", "研发设备购置资金缺口 1.2 亿元（演示）", "市财政局", D(2027, 3, 31), "")],
        segment="氢能研发", unit="市能源局", entered=D(2024, 3, 15)),
    DemoProject(
        "370800-2024-0002", "北京石墨烯研究院济宁产业基地暨粉体石墨烯材料工程创新中心项目", [MATERIALS], "370800",
        "济宁经济技术开发区", "北京石墨烯研究院", 120000, "investment", "city",
        "004 二(五)3：加快推动北京石墨烯研究院济宁产业基地暨粉体石墨烯材料工程创新中心项目落地（投资额、日期为演示数据）",
        D(2024, 9, 20), (D(2026, 9, 30), D(2028, 6, 30), D(2028, 12, 31)),
        [(Stage.RESERVE, D(2024, 12, 5), "市重点项目储备库（演示）")],
        {2026: 30000},
        [("land", "新增建设用地 150 亩未落实（演示）", "市自然资源和规划局", D(2026, 8, 31), ""),
         ("approval", "能评、环评审批待办（演示）", "市行政审批服务局", D(2027, 2, 28), "")],
        segment="石墨烯", unit="济宁经开区招商服务专班", entered=D(2024, 9, 20)),
    DemoProject(
        "370827-2023-0001", "鱼台张黄乙烯法 PVC 项目", [CHEM], "370827", "鱼台张黄化工产业园", "鲁泰化学",
        420000, "renovation", "city", "004 二(二)2：建设乙烯法 ＰＶＣ、聚偏二氯乙烯等项目（投资额、日期为演示数据）",
        D(2023, 4, 6), (D(2024, 10, 31), D(2026, 10, 31), D(2027, 3, 31)),
        [(Stage.RESERVE, D(2023, 7, 1), "市重点项目储备库（演示）"),
         (Stage.SUSPENDED, D(2024, 9, 15), "乙烯原料供应协议未落实，暂缓建设（演示）")],
        {2025: 0, 2026: 50000},
        [("other", "乙烯原料长期供应协议（演示）", "鱼台县人民政府", D(2027, 6, 30), "")],
        segment="氯气就地转化", unit="鱼台县化工产业园服务专班"),
    DemoProject(
        "370830-2024-0001", "汶上中银电化氯化聚氯乙烯新材料项目", [CHEM], "370830", "汶上化工产业园", "中银电化",
        90000, "chain_support", "county", "004 二(二)2：开发氯化聚氯乙烯等新材料（投资额、日期为演示数据）",
        D(2024, 6, 18), (D(2025, 6, 30), D(2026, 12, 31), D(2027, 3, 31)),
        [(Stage.RESERVE, D(2024, 8, 20), "县重点项目储备库（演示）"), (Stage.STARTED, D(2025, 7, 8), "开工令（演示）")],
        {2025: 30000, 2026: 45000}, segment="氯气下游", unit="汶上县化工产业园服务专班", entered=D(2024, 6, 18)),
    DemoProject(
        "370800-2025-0001", "山能高端精细化工产业园及化工研究院", [CHEM], "370800", None, "山能",
        800000, "investment", "province", "004 二(二)3：支持山能在我市建设高端精细化工产业园和化工研究院（投资额为演示数据）",
        None, (D(2027, 6, 30), None, None), [], {2026: 0}, segment="高端精细化工", unit="市工业和信息化局",
        entered=D(2025, 2, 10)),
    DemoProject(
        "370811-2024-0001", "碳素集团高性能碳纤维复合材料项目", [MATERIALS], "370811", None, "碳素集团",
        65000, "renovation", "county", "004 二(五)2：依托任城碳素集团发展碳纤维及其功能性复合材料（项目为演示数据）",
        D(2024, 2, 26), (D(2024, 9, 30), D(2026, 12, 31), D(2027, 3, 31)),
        [(Stage.RESERVE, D(2024, 4, 2), "区重点项目储备库（演示）"), (Stage.STARTED, D(2024, 10, 12), "开工令（演示）")],
        {2025: 35000, 2026: 20000},
        [("land", "配套仓储用地 30 亩（演示）", "任城区自然资源局", D(2027, 3, 31), "")],
        segment="碳纤维", unit="任城区工业和信息化局", entered=D(2024, 2, 26)),
    DemoProject(
        "370811-2025-0001", "九天智能无人机产业化项目", [NGIT, ("SD-2016-3", "ngit")], "370811", "任城电商产业数字经济园区",
        "九天智能", 30000, "investment", "", "004 二(三)2：依托任城九天智能等企业（项目为演示数据）", D(2025, 3, 3),
        (D(2025, 10, 31), D(2027, 6, 30), D(2027, 9, 30)),
        [(Stage.RESERVE, D(2025, 5, 9), "区重点项目储备库（演示）")],
        {2026: 12000},
        [("approval", "低空飞行试验空域审批（演示）", "任城区行政审批服务局", D(2027, 4, 30), "")],
        segment="无人机整机", unit="任城区工业和信息化局", entered=D(2025, 3, 3)),
    # Provincial clusters
    DemoProject(
        "370200-2024-0001", "青岛轨道交通装备配套产业园项目（演示）", [("SD-SEI-2020", "qingdao-rail-transit")], "370200", None,
        "青岛某轨道交通配套企业（演示）", 260000, "chain_support", "province", "演示数据：战略性新兴产业集群重点项目",
        D(2024, 1, 10), (D(2024, 6, 30), D(2026, 6, 30), D(2026, 10, 31)),
        [(Stage.RESERVE, D(2024, 3, 1), "省重点项目名单（演示）"), (Stage.STARTED, D(2024, 7, 2), "开工令（演示）"),
         (Stage.COMPLETED, D(2026, 6, 20), "竣工验收报告（演示）"), (Stage.PRODUCING, D(2026, 10, 15), "投产公告（演示）")],
        {2025: 90000, 2026: 40000}, entered=D(2024, 1, 10), leader="", unit="青岛市工业和信息化局"),
    DemoProject(
        "370100-2025-0001", "济南氢能装备产业化项目（演示）", [("SD-2023-185", "new-energy-equipment")], "370100", None,
        "济南某氢能装备企业（演示）", 150000, "investment", "province", "演示数据：省级先进制造业集群重点项目",
        D(2025, 4, 8), (D(2025, 12, 31), D(2027, 12, 31), D(2028, 3, 31)),
        [(Stage.RESERVE, D(2025, 6, 1), "省重点项目名单（演示）")],
        {2026: 50000},
        [("energy", "新增用能指标（演示）", "济南市发展改革委", D(2027, 1, 31), "")],
        entered=D(2025, 4, 8), leader="", unit="济南市工业和信息化局"),
]


def _investor(name: str) -> dict:
    enterprise = Enterprise.objects.filter(name=name).order_by("pk").first()
    return {"investor": enterprise} if enterprise else {"investor_name": name}


@transaction.atomic
def demo_projects_generate() -> int:
    """Register the demo projects once, with their stage moves, year plans and constraints; returns those added."""
    added = 0
    today = datetime.date.today()
    for spec in PROJECTS:
        if Project.objects.filter(code=spec.code).exists():
            continue
        clusters = [c for programme, code in spec.clusters
                    for c in Cluster.objects.filter(programme__code=programme, code=code)]
        start, completion, production = spec.planned
        project = project_create(
            actor=None, code=spec.code, clusters=clusters, stage_reached_on=min(spec.entered, today),
            name=spec.name, segment=spec.segment, region=Region.objects.get(code=spec.region),
            zone=Zone.objects.get(name=spec.zone) if spec.zone else None, total_investment=Decimal(spec.total),
            kind=spec.kind, is_major=bool(spec.level), major_level=spec.level, leader=spec.leader,
            service_unit=spec.unit, source=spec.source, signed_on=spec.signed_on, planned_start_on=start,
            planned_completion_on=completion, planned_production_on=production,
            description=f"{DEMO}：{spec.name}", **_investor(spec.investor))
        for stage, day, note in spec.moves:
            if day > today:
                break
            exit_ = stage in (Stage.SUSPENDED, Stage.WITHDRAWN)
            project_move_stage(actor=None, project=project, to_stage=stage, reached_on=day,
                               evidence="" if exit_ else note, reason=note if exit_ else "")
        for year, planned in spec.plans.items():
            project_plan_year(actor=None, project=project, year=year, planned=Decimal(planned))
        for kind, description, unit, deadline, decision in spec.constraints:
            constraint = constraint_raise(actor=None, project=project, kind=kind, description=description,
                                          responsible_unit=unit, deadline=deadline)
            if decision:
                constraint_close(actor=None, constraint=constraint, status="resolved", decision=decision,
                                 decided_by="市重点项目调度会（演示）", decided_on=min(deadline, today))
        added += 1
    return added
