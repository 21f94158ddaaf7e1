"""Demo supervision: a few task updates and two chains' “九个一” sheets, every one marked 演示数据.

The sheets are made before the demo chains (jiqun.core.demo runs this first), so they name their chain as
sheets kept before the chain registry did; `demo_checklists_link`, run after the demo chains, attaches each to
the registered chain of that name serving its cluster, when there is one.
"""

from django.core.exceptions import ValidationError

from jiqun.accounts.models import User
from jiqun.clusters.models import Cluster
from jiqun.enterprises.models import Source
from jiqun.programmes.models import Programme, Task
from jiqun.regions.models import Region
from jiqun.targets.models import ChainChecklist, TaskStatus, TaskUpdate
from jiqun.targets.services import (
    checklist_chain_set,
    checklist_create,
    checklist_evidence_set,
    task_update_create,
)
from jiqun.targets.supervision import chain_named

# programme, task, username, status, progress, evidence
UPDATES = [
    ("SD-2023-185", "K01", "sheng", TaskStatus.IN_PROGRESS, "已组织动力装备、智能家电等集群开展“强基韧链”链式攻关（演示数据）", ""),
    ("SD-2023-185", "K07", "sheng", TaskStatus.COMPLETED, "已建立骨干企业培育库并按年度动态调整（演示数据）",
     "省工业和信息化厅关于公布集群骨干企业培育库的通知（演示数据，无真实文号）"),
    ("JN-2020-231", "K01", "jining", TaskStatus.IN_PROGRESS, "高端装备产业集群工作专班已组建，正在编制产业链图谱（演示数据）", ""),
    ("JN-2020-231", "K09", "jining", TaskStatus.BLOCKED, "重点企业智能化改造资金缺口较大，需市级统筹（演示数据）", ""),
    ("JN-2020-231", "K14", "rencheng", TaskStatus.IN_PROGRESS, "任城区已为工程机械产业链建立“九个一”工作机制（演示数据）", ""),
]
# cluster code, chain, region code, items in place with their evidence
CHAINS = [
    ("high-end-equipment", "工程机械产业链", "370811",
     {"1": "区政府主要领导任链长（演示数据）", "2": "工程机械产业链发展规划（演示数据）",
      "3": "支持政策文件（演示数据）", "9": "2026年度工作计划（演示数据）"}),
    ("ngit", "智能终端产业链", "370881", {"1": "市主要领导任链长（演示数据）", "2": "智能终端产业链发展规划（演示数据）"}),
]


def demo_supervision_generate() -> int:
    """Create the demo updates and sheets once; a second run, or a database without the packs, does nothing."""
    if TaskUpdate.objects.exists() or ChainChecklist.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["sheng", "jining", "rencheng"])}
    made = 0
    for code, task_code, username, status, progress, evidence in UPDATES:
        task = Task.objects.filter(programme__code=code, code=task_code).first()
        if task is None or username not in users:
            continue
        task_update_create(actor=users[username], task=task, status=status, progress=progress, evidence=evidence,
                           source=Source.DEMO)
        made += 1
    programme = Programme.objects.filter(code="JN-2020-231").first()
    if programme is None or not {"jining", "rencheng"} <= set(users):
        return made
    for cluster_code, chain, region_code, evidence in CHAINS:
        cluster = Cluster.objects.filter(programme=programme, code=cluster_code).first()
        region = Region.objects.filter(code=region_code).first()
        if cluster is None or region is None:
            continue
        record = chain_named(chain, cluster)
        sheet = checklist_create(actor=users["jining"] if record else None, programme=programme,
                                 checklist_code="nine-ones", cluster=cluster, chain=record, chain_name=chain,
                                 region=region, chief="（演示）", source=Source.DEMO)
        filler = users["rencheng"] if region_code == "370811" else users["jining"]
        for item_code, text in evidence.items():
            checklist_evidence_set(actor=filler, sheet=sheet, item_code=item_code, done=True, evidence=text,
                                   source=Source.DEMO)
        made += 1
    return made


def demo_checklists_link() -> int:
    """Attach the demo's sheets to the demo chains of their names (when the chain demo made them)."""
    linked = 0
    for sheet in ChainChecklist.objects.filter(source=Source.DEMO, chain_record__isnull=True).select_related(
            "cluster", "region"):
        chain = chain_named(sheet.chain, sheet.cluster)
        if chain is None:
            continue
        try:
            checklist_chain_set(actor=None, sheet=sheet, chain=chain, base_version=sheet.version)
        except ValidationError:  # another sheet of that region already carries the chain: leave this one
            continue
        linked += 1
    return linked
