"""Demo evaluation: the shipped schemes, one published run of 集群综合竞争力评价 on 2025's approved figures, and
the Jining county 考核: three bonus claims (one 核定, one 申报 waiting for the province, one 不予核定) and a
published 2025 run, so the 任城区 officer sees its rank and its bonus."""

import yaml

from jiqun.evaluation.models import Run, Scheme
from jiqun.evaluation.packs import scheme_files, scheme_parse
from jiqun.evaluation.services import evaluation_run_create, evaluation_run_publish, scheme_install

DEMO_SCHEME, DEMO_YEAR = "sd-2023-185-competitiveness", 2025
REGION_SCHEME = "jn-2020-231-county-kaohe"
# region, item, description, evidence, decision (None: waiting), who claims (None: the system for the demo)
REGION_CLAIMS = [
    ("370811", "major-project", "新上高端装备集群重大投资项目：智能工程机械整机及关键零部件项目（演示数据），总投资 32 亿元，2025年6月开工",
     "济宁市重点项目备案 演示-2025-001", "approve", "rencheng"),
    ("370811", "chain-project", "新一代信息技术集群补链项目：印制电路板配套材料项目（演示数据），2025年11月签约",
     "招商引资项目签约书 演示-2025-017", None, "rencheng"),
    ("370883", "chain-project", "高端化工集群补链项目：煤焦化副产品深加工项目（演示数据）",
     "项目说明材料（演示数据）", "reject", None),
]


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
    return made + demo_region_generate()


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
