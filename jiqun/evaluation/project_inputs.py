"""Evaluation that reads the project library (jiqun.projects): the bonus items of a region scheme whose source is
`projects` (年度引进新上集群重大投资项目、补链项目 counted per county, seed 004 四(三)), and the input snapshot of a
project run (观摩评比 of new cluster projects and major chain 技改 projects, seed 004 四(三), 000 四(五)).

Projects are read through one selector, jiqun.targets.counts.counted_projects (the projects of the programme's
clusters, each with its StageEvent dates); the date a stage was reached is the date of the first StageEvent that
reached it. Completed investment is read through jiqun.projects.dispatch_selectors.completed_investment (the
latest approved dispatch of the year) and the completion rate through its investment_pace. The on-site 观摩 score
is the trimmed mean of the province's observers' scores (ObservationScore): with three or more scores the highest
and the lowest are dropped. Each value and each counted project keeps its provenance in the snapshot, so a rerun
reproduces the run after a later stage move, dispatch or score.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from jiqun.evaluation.packs import LEVEL_ORDER
from jiqun.projects.models import MajorLevel, ProjectKind, Stage
from jiqun.regions.models import is_within

STAGE_POINTS = {Stage.STARTED: 1, Stage.COMPLETED: 2, Stage.PRODUCING: 3}  # project_stage: the stage at year end
CHAIN_FULL, CHAIN_SEGMENT = Decimal(1), Decimal("0.5")  # project_chain: 补链 (产业链配套), or names a segment
TRIM_FROM = 3  # with this many on-site scores or more, the highest and the lowest are dropped


def programme_projects(programme) -> list:
    """The library's projects of the programme's clusters (jiqun.targets.counts.counted_projects)."""
    from jiqun.clusters.models import Cluster
    from jiqun.targets.counts import counted_projects

    return counted_projects(clusters=list(Cluster.objects.filter(programme=programme).values_list("pk", flat=True)))


def first_reached(project, stage: str) -> date | None:
    """The date of the first StageEvent that reached `stage`, or None."""
    return next((day for day, to in project.stages if to == stage), None)


def level_at_least(project, minimum: str | None) -> bool:
    """Whether the project is a 重大项目 of level `minimum` or above (province > city > county); None: any project."""
    if not minimum:
        return True
    return bool(project.major_level) and LEVEL_ORDER[project.major_level] >= LEVEL_ORDER[minimum]


def _labels(project) -> str:
    kinds, levels = dict(ProjectKind.choices), dict(MajorLevel.choices)
    parts = [str(kinds.get(project.kind, project.kind))]
    if project.major_level:
        parts.append(str(levels[project.major_level]))
    return "、".join(parts)


# --- bonus items from the library ------------------------------------------------------------------------

def bonus_qualifies(project, rule: dict, year: int) -> date | None:
    """The day `project` reached the rule's stage in `year` when it counts for the rule, else None."""
    if rule.get("kinds") and project.kind not in rule["kinds"]:
        return None
    if not level_at_least(project, rule.get("min_level")):
        return None
    reached = first_reached(project, rule["stage"])
    return reached if reached is not None and reached.year == year else None


def project_bonus(scheme, year: int, codes: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Per region code, the projects located in it that count for the scheme's `source: projects` items in
    `year`, each as the snapshot keeps it (project id, code, name, the stage and its StageEvent date)."""
    items = [b for b in (scheme.bonus or {}).get("items", []) if b.get("source") == "projects"]
    found: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
    if not items:
        return found
    stages = dict(Stage.choices)
    projects = programme_projects(scheme.programme)
    for code in codes:
        for item in items:
            rule = item["projects"]
            for project in projects:
                if not is_within(project.region, code):
                    continue
                reached = bonus_qualifies(project, rule, year)
                if reached is None:
                    continue
                stage = str(stages[rule["stage"]])
                found[code].append({
                    "item": item["code"], "label": item["label"], "points": item["points"], "project": project.pk,
                    "code": project.code, "name": project.name, "stage": rule["stage"], "reached_on": reached.isoformat(),
                    "description": f"{project.code} {project.name}（{_labels(project)}）",
                    "evidence": f"{reached.isoformat()} {stage}（项目库阶段变更记录）", "decided_by": ""})
    return found


# --- project runs (观摩评比) --------------------------------------------------------------------------------

def _subject_basis(project, rule: dict, year: int) -> str:
    """Why the project is evaluated in `year` under the scheme's rule, or "" when it is not."""
    if not level_at_least(project, rule.get("min_level")):
        return ""
    year_end = date(year, 12, 31)
    if project.stage_on(year_end) == Stage.WITHDRAWN:
        return ""
    started = first_reached(project, Stage.STARTED)
    within = rule.get("new_within_years", 1)
    if project.kind in rule.get("kinds", []) and started is not None and year - within < started.year <= year:
        return f"新上：{started.isoformat()} 开工"
    produced = first_reached(project, Stage.PRODUCING)
    if (project.kind in rule.get("renovation_kinds", []) and started is not None and started <= year_end
            and (produced is None or produced.year >= year)):
        return f"技改：{started.isoformat()} 开工，{year}年在建或投产"
    return ""


def project_subjects(scheme, year: int) -> list[tuple[Any, str]]:
    """The programme's projects the scheme evaluates in `year`, each with why (新上 or 技改)."""
    rule = scheme.projects or {}
    chosen = [(p, _subject_basis(p, rule, year)) for p in programme_projects(scheme.programme)]
    return [(p, why) for p, why in chosen if why]


def trimmed_mean(scores: list[Decimal]) -> Decimal | None:
    """The mean of the scores, the highest and the lowest dropped when there are TRIM_FROM or more."""
    if not scores:
        return None
    ordered = sorted(scores)
    if len(ordered) >= TRIM_FROM:
        ordered = ordered[1:-1]
    return (sum(ordered, Decimal(0)) / len(ordered)).quantize(Decimal("0.01"))


def _cells(project, model, year: int, scores: list, plans: dict) -> dict[str, dict[str, Any]]:
    """Every project measure of one project in `year`, with where it comes from."""
    from jiqun.projects.dispatch_selectors import completed_investment, investment_pace

    stages = dict(Stage.choices)
    where = f"{year}年"
    cells: dict[str, dict[str, Any]] = {
        "project_total_investment": {"value": str(project.total_investment), "period": "项目库",
                                     "note": f"项目库：{project.code} 计划总投资"}}
    completed = completed_investment(model, year)
    cells["project_completed_investment"] = (
        {"value": str(completed.value), "period": where, "note": completed.source, "dispatch": completed.dispatch.pk}
        if completed.value is not None else {"value": None, "missing": completed.source})
    planned = plans.get(project.pk)
    if planned is None:
        cells["project_completion_rate"] = {"value": None, "missing": f"{year}年没有年度投资计划"}
    elif completed.value is None:
        cells["project_completion_rate"] = {"value": None, "missing": completed.source}
    else:
        pace = investment_pace(planned, completed.value, year, completed.dispatch.period.quarter)
        cells["project_completion_rate"] = (
            {"value": str(pace.rate), "period": where,
             "note": f"{completed.value.normalize():f} ÷ 年度计划 {planned.normalize():f} 万元；{completed.source}"}
            if pace.rate is not None else {"value": None, "missing": f"{year}年度计划投资为 0"})
    held = project.stage_on(date(year, 12, 31))
    reached = next((day for day, to in reversed(project.stages) if to == held and day.year <= year), None)
    cells["project_stage"] = {"value": str(STAGE_POINTS.get(held, 0)), "period": f"{year}年末",
                              "note": f"{stages.get(held, '—')}" + (f"（{reached.isoformat()}）" if reached else "")}
    if project.kind == ProjectKind.CHAIN_SUPPORT:
        chain = {"value": str(CHAIN_FULL), "note": "产业链配套项目（补链）"}
    elif project.segment:
        chain = {"value": str(CHAIN_SEGMENT), "note": f"产业链环节：{project.segment}"}
    else:
        chain = {"value": "0", "note": "未填产业链环节"}
    cells["project_chain"] = {**chain, "period": "项目库"}
    mean = trimmed_mean([s.score for s in scores])
    listed = "、".join(f"{s.observer} {s.score.normalize():f}" for s in scores)
    cells["project_onsite_score"] = (
        {"value": str(mean), "period": where, "scores": [s.pk for s in scores],
         "note": f"{len(scores)} 人打分（{listed}）" + ("，去掉一个最高分和一个最低分后平均" if len(scores) >= TRIM_FROM else "，平均")}
        if mean is not None else {"value": None, "missing": f"{year}年尚未录入现场观摩得分"})
    return cells


def project_snapshot_collect(scheme, year: int) -> dict[str, Any]:
    """Read every evaluated project's measures in `year` from the library, its dispatches and the on-site scores."""
    from jiqun.evaluation.inputs import scheme_criteria
    from jiqun.evaluation.models import ObservationScore
    from jiqun.projects.models import Project, YearPlan

    criteria = [{**c, "source": "project"} for c in scheme_criteria(scheme)]
    chosen = project_subjects(scheme, year)
    ids = [p.pk for p, _why in chosen]
    models = Project.objects.in_bulk(ids)
    plans = dict(YearPlan.objects.filter(project__in=ids, year=year).values_list("project", "planned"))
    scores: dict[int, list] = {pk: [] for pk in ids}
    for score in ObservationScore.objects.filter(scheme_code=scheme.code, year=year, project__in=ids).order_by("observer", "pk"):
        scores[score.project_id].append(score)
    subjects = []
    for project, why in chosen:
        cells = _cells(project, models[project.pk], year, scores[project.pk], plans)
        subjects.append({"project": project.pk, "name": project.name, "code": project.code, "basis": why,
                         "located_in": project.region,
                         "values": {c["code"]: cells[c["indicator"]] for c in criteria}})
    return {"year": year, "as_of": f"{year}-12-31", "programme": scheme.programme.code, "subject_kind": "project",
            "projects": scheme.projects, "criteria": criteria, "eligibility": [], "subjects": subjects}
