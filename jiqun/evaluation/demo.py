"""Demo evaluation: the shipped schemes, one published run of 集群综合竞争力评价 on 2025's approved figures; the
Jining county 考核: three 建链 bonus claims (one 核定, one 申报 waiting for the province, one 不予核定) and a published
2025 run whose 重大项目 and 补链 bonus items count the demo projects (汶上县's 产业链配套 project started in 2025), so
the 任城区 officer sees its rank and its bonus; and a published 2026 观摩评比 of the demo projects (2026: the first year with approved dispatches), with the
province's on-site scores. The region and project runs read the project library: `demo_evaluation_projects_generate`
runs after the projects demo and its dispatches (jiqun.core.demo)."""

import yaml

from jiqun.evaluation.models import Run, Scheme
from jiqun.evaluation.packs import scheme_files, scheme_parse
from jiqun.evaluation.services import evaluation_run_create, evaluation_run_publish, scheme_install

DEMO_SCHEME, DEMO_YEAR = "sd-2023-185-competitiveness", 2025
# The 观摩评比's year: the project dispatches began in 2026 (the 2025 periods had closed before the demo projects
# entered the library), so 2026 is the first year with approved completed investment to compare.
OBSERVATION_YEAR = 2026
REGION_SCHEME = "jn-2020-231-county-kaohe"
PROJECT_SCHEME = "jn-2020-231-guanmo"
# region, item, description, evidence, decision (None: waiting), who claims (None: the system for the demo).
# 重大项目 and 补链 are counted from the project library; 建链 is claimed and decided.
REGION_CLAIMS = [
    ("370811", "chain-building", "新建高端装备产业链：智能工程机械整机及关键零部件产业链建链（演示数据），链主企业 2025年6月落地",
     "济宁市重点产业链建链认定 演示-2025-001", "approve", "rencheng"),
    ("370811", "chain-building", "新一代信息技术产业链建链：印制电路板及配套材料产业链（演示数据），2025年11月签约",
     "招商引资项目签约书 演示-2025-017", None, "rencheng"),
    ("370883", "chain-building", "高端化工产业链建链：煤焦化副产品深加工产业链（演示数据）",
     "项目说明材料（演示数据）", "reject", None),
]
# The province's on-site 观摩 scores (演示数据): four observers per evaluated project, by project code.
OBSERVERS = ("观摩组一（演示）", "观摩组二（演示）", "观摩组三（演示）", "观摩组四（演示）")
OBSERVATION_SCORES = {
    "370800-2024-0001": (86, 82.5, 90, 84),
    "370830-2024-0001": (78, 81, 75.5, 88),
    "370811-2024-0001": (72, 70, 76.5, 69),
}


def schemes_load() -> int:
    """Install every shipped scheme whose programme is loaded; returns how many changed."""
    from jiqun.programmes.models import Programme

    changed = 0
    programmes = set(Programme.objects.values_list("code", flat=True))
    for path in scheme_files():
        if yaml.safe_load(path.read_text(encoding="utf-8")).get("programme") not in programmes:
            continue
        _scheme, made = scheme_install(actor=None, parsed=scheme_parse(path))
        changed += made
    return changed


def demo_evaluation_generate() -> int:
    """Load the schemes; run and publish the demo run once (the system runs it, as it writes demo data)."""
    schemes_load()
    made = 0
    scheme = Scheme.objects.filter(code=DEMO_SCHEME).order_by("-version").first()
    if scheme is not None and not Run.objects.filter(scheme__code=DEMO_SCHEME, year=DEMO_YEAR).exists():
        run = evaluation_run_create(actor=None, scheme=scheme, year=DEMO_YEAR)
        evaluation_run_publish(actor=None, run=run)
        made += 1
    return made


def demo_evaluation_projects_generate() -> int:
    """The runs that read the project library: the county 考核 and the 观摩评比 (after the projects demo)."""
    schemes_load()
    return demo_region_generate() + demo_observation_generate()


def demo_observation_generate() -> int:
    """The province's on-site scores of the 2026 观摩评比 and its published 2026 run; once."""
    from jiqun.accounts.models import User
    from jiqun.evaluation.models import ObservationScore
    from jiqun.evaluation.observations import observation_score_record
    from jiqun.projects.models import Project

    scheme = Scheme.objects.filter(code=PROJECT_SCHEME).order_by("-version").first()
    if scheme is None or Run.objects.filter(scheme__code=PROJECT_SCHEME, year=OBSERVATION_YEAR).exists():
        return 0
    province = User.objects.filter(username="sheng").first()
    if not ObservationScore.objects.filter(scheme_code=PROJECT_SCHEME, year=OBSERVATION_YEAR).exists():
        for code, scores in OBSERVATION_SCORES.items():
            project = Project.objects.filter(code=code).first()
            if project is None:
                continue
            for observer, score in zip(OBSERVERS, scores, strict=True):
                observation_score_record(actor=province, scheme_code=PROJECT_SCHEME, year=OBSERVATION_YEAR, project=project,
                                         observer=observer, score=score, note="演示数据")
    run = evaluation_run_create(actor=None, scheme=scheme, year=OBSERVATION_YEAR)
    evaluation_run_publish(actor=None, run=run)
    return 1


def demo_region_generate() -> int:
    """The county 考核's demo claims, decided by the province, and its published 2025 run; once."""
    from jiqun.accounts.models import User
    from jiqun.evaluation.bonus import bonus_claim_create, bonus_claim_decide
    from jiqun.evaluation.models import BonusClaim
    from jiqun.regions.models import Region

    scheme = Scheme.objects.filter(code=REGION_SCHEME).order_by("-version").first()
    if scheme is None or Run.objects.filter(scheme__code=REGION_SCHEME, year=DEMO_YEAR).exists():
        return 0
    province = User.objects.filter(username="sheng").first()
    if not BonusClaim.objects.filter(scheme_code=REGION_SCHEME).exists():
        for code, item, description, evidence, decision, username in REGION_CLAIMS:
            officer = User.objects.filter(username=username).first() if username else None
            claim = bonus_claim_create(actor=officer, region=Region.objects.get(code=code), year=DEMO_YEAR,
                                       item=f"{REGION_SCHEME}/{item}", description=description, evidence=evidence)
            if decision is not None:
                bonus_claim_decide(actor=province, claim=claim, decision=decision,
                                   reason="项目尚未开工，且未列入市级重点项目清单（演示数据）" if decision == "reject" else "")
    run = evaluation_run_create(actor=None, scheme=scheme, year=DEMO_YEAR)
    evaluation_run_publish(actor=None, run=run)
    return 1
