"""Demo evaluation: the shipped schemes, and one published run of 集群综合竞争力评价 on 2025's approved figures."""

import yaml

from jiqun.evaluation.models import Run, Scheme
from jiqun.evaluation.packs import scheme_files, scheme_parse
from jiqun.evaluation.services import evaluation_run_create, evaluation_run_publish, scheme_install

DEMO_SCHEME, DEMO_YEAR = "sd-2023-185-competitiveness", 2025


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
    scheme = Scheme.objects.filter(code=DEMO_SCHEME).order_by("-version").first()
    if scheme is None or Run.objects.filter(scheme__code=DEMO_SCHEME, year=DEMO_YEAR).exists():
        return 0
    run = evaluation_run_create(actor=None, scheme=scheme, year=DEMO_YEAR)
    evaluation_run_publish(actor=None, run=run)
    return 1
