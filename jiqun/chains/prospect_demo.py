"""The demo's 招引名录 entries, on the weak, missing and 延链 segments of the demo chains (jiqun.chains.demo).

Each entry names its chain and segment by code; an entry whose segment is absent (the chain demo not loaded)
or not rated 弱/缺 (nor 延链) is left out quietly, and an entry already on file is left as it is. The entries
go through the services as the system, so their events and audit trail are those a user's work would leave:
one stays a 线索, one is in 接洽 with its contact records, one is dropped, one is signed to a demo project of
the library (山能高端精细化工产业园, still 谋划), and one signs a new project that then starts, so it is 落地.
Company names marked （演示） are invented, the same outside companies the chain demo places as suppliers (an
entry names the registered company when there is one); the segments and the reasons cite the Jining text (004).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jiqun.chains.models import OutsideCompany, Prospect, Segment

D = datetime.date


@dataclass(frozen=True)
class DemoProspect:
    chain: str
    segment: str
    company: str
    place: str
    reason: str
    priority: str
    listed: datetime.date
    contacts: list[tuple[datetime.date, str, str]] = field(default_factory=list)  # (day, way, note)
    contact_on: datetime.date | None = None  # moved to 接洽 on this day
    dropped: tuple[datetime.date, str] | None = None
    signed: datetime.date | None = None
    project_code: str = ""  # sign to this demo project; empty: a new project
    investment: Decimal | None = None
    region: str = ""
    moves: list[tuple[str, datetime.date, str]] = field(default_factory=list)  # the new project's stage moves


PROSPECTS: list[DemoProspect] = [
    DemoProspect(
        "JN-GCJX", "U2.2", "常州某液压件企业（演示）", "江苏省常州市",
        "004 二(一)3 补链：液压件；本地整机企业的高端液压件主要从外地采购（演示）", "high", D(2025, 3, 12),
        contacts=[(D(2025, 4, 8), "visit", "市工信局带队赴企业总部拜访，介绍济宁工程机械整机配套需求（演示）"),
                  (D(2025, 6, 20), "meeting", "企业来济考察济宁高新区，提出用地 200 亩的需求（演示）")],
        contact_on=D(2025, 4, 8)),
    DemoProspect(
        "JN-GCJX", "U2.1", "潍坊某柴油发动机企业（演示）", "山东省潍坊市",
        "004 二(一)3 补链：加大发动机的研发招引（演示）", "medium", D(2025, 5, 6)),
    DemoProspect(
        "JN-NJZB", "U1.3", "常州某液压件企业（演示）", "江苏省常州市",
        "004 二(一)3 补链：齿轮泵、多路阀（演示）", "medium", D(2025, 2, 18),
        contacts=[(D(2025, 3, 5), "call", "电话沟通，企业暂无北方布局计划（演示）")], contact_on=D(2025, 3, 5),
        dropped=(D(2025, 9, 1), "企业齿轮泵产能已在河南新基地布局，暂不考虑济宁（演示）")),
    DemoProspect(
        "JN-GDHG", "D6", "山东能源集团有限公司", "山东省济南市",
        "004 二(二)3：支持山能在我市建设高端精细化工产业园和化工研究院，发展电子化学品（演示）", "high",
        D(2024, 11, 5), contacts=[(D(2024, 12, 10), "meeting", "市政府与山能集团专题会商（演示）")],
        contact_on=D(2024, 12, 10), signed=D(2025, 2, 10), project_code="370800-2025-0001"),
    DemoProspect(
        "JN-QN", "M2", "上海某燃料电池电堆企业（演示）", "上海市",
        "004 二(四)3：积极招引和培育氢燃料电池及其关键零部件产业项目（演示）", "high", D(2024, 9, 2),
        contacts=[(D(2024, 10, 15), "reception", "企业来邹城考察氢气岛配套条件（演示）")], contact_on=D(2024, 10, 15),
        signed=D(2025, 3, 18), investment=Decimal(80000), region="370883",
        moves=[("reserve", D(2025, 5, 6), "市重点项目储备库（演示）"), ("started", D(2025, 9, 26), "开工令（演示）")]),
]


def _project(code: str):
    from jiqun.projects.models import Project

    return Project.objects.filter(code=code).first()


def _one(spec: DemoProspect) -> bool:
    from jiqun.chains.prospect_services import prospect_contact, prospect_create, prospect_move, prospect_sign
    from jiqun.projects.services import project_move_stage
    from jiqun.regions.models import Region

    segment = Segment.objects.filter(chain__code=spec.chain, code=spec.segment, retired=False).first()
    if segment is None:
        return False
    company = OutsideCompany.objects.filter(name=spec.company).first()
    if company is not None and Prospect.objects.filter(segment=segment, company=company).exists():
        return False
    if spec.project_code and _project(spec.project_code) is None:
        return False
    try:
        with transaction.atomic():
            entry = prospect_create(actor=None, segment=segment, company=company,
                                    company_name="" if company else spec.company, company_place=spec.place,
                                    reason=spec.reason, priority=spec.priority, on=spec.listed, source="demo")
            for day, way, note in spec.contacts:
                if spec.contact_on and day >= spec.contact_on and entry.status == "lead":
                    entry = prospect_move(actor=None, prospect=entry, to_status="contact", on=spec.contact_on,
                                          base_version=entry.version)
                prospect_contact(actor=None, prospect=entry, on=day, way=way, note=note)
            if spec.contact_on and entry.status == "lead":
                entry = prospect_move(actor=None, prospect=entry, to_status="contact", on=spec.contact_on,
                                      base_version=entry.version)
            if spec.dropped:
                entry = prospect_move(actor=None, prospect=entry, to_status="dropped", on=spec.dropped[0],
                                      note=spec.dropped[1], base_version=entry.version)
            if spec.signed:
                project = _project(spec.project_code) if spec.project_code else None
                entry = prospect_sign(actor=None, prospect=entry, on=spec.signed, base_version=entry.version,
                                      project=project, total_investment=spec.investment,
                                      region=Region.objects.get(code=spec.region) if spec.region else None,
                                      note="签约（演示）")
                for stage, day, evidence in spec.moves:
                    project_move_stage(actor=None, project=entry.project, to_stage=stage, reached_on=day,
                                       evidence=evidence)
    except (ValidationError, PermissionDenied):
        return False  # the segment is strong in this load of the demo, or a date lies ahead: left out
    return True


def demo_prospects_generate() -> int:
    """Create the demo's investment-target entries on the demo chains; returns how many were made."""
    return sum(1 for spec in PROSPECTS if _one(spec))
