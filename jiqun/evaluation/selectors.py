"""Reads of the evaluation app: runs and rows a user sees, the "why this score" of one cluster, chart data,
and the proof that a stored run reproduces."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from jiqun.evaluation.bonus_points import bonus_points
from jiqun.evaluation.cells import subject_cell
from jiqun.evaluation.compute import engine_input, evaluate, normalized_row, outcome, subject_key
from jiqun.evaluation.models import Consequence, Run, RunRow, Scheme, SubjectKind


def schemes_for(user):
    return Scheme.objects.for_user(user).select_related("programme")


def runs_for(user):
    return Run.objects.for_user(user).select_related("scheme", "scheme__programme")


def run_for(user, pk: int) -> Run:
    """The run, or 404 when the user does not see it."""
    return get_object_or_404(runs_for(user), pk=pk)


def rows_for(user, run: Run) -> list[RunRow]:
    """The rows of `run` the user sees: scored ones by rank, then the excluded ones."""
    rows = list(RunRow.objects.for_user(user).filter(run=run).select_related("cluster", "region", "project").distinct())
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.subject_name))


def subject_noun(run: Run) -> str:
    """What the run ranks, in the UI's language: 集群, 地区 or 项目."""
    return str(SubjectKind(run.scheme.subject_kind).label)


def project_rule_text(rule: dict | None) -> str:
    """A project run's subject rule in words (which projects are 新上 or 技改 and of which level)."""
    from jiqun.projects.models import MajorLevel, ProjectKind

    rule = rule or {}
    kinds, levels = dict(ProjectKind.choices), dict(MajorLevel.choices)
    within = rule.get("new_within_years", 1)
    parts = [_("参评项目：本工程集群的项目中，%(when)s开工的新上%(kinds)s") % {
        "when": _("当年") if within == 1 else _("近 %(n)s 年（含当年）") % {"n": within},
        "kinds": "、".join(str(kinds.get(k, k)) for k in rule.get("kinds", []))}]
    if rule.get("renovation_kinds"):
        parts.append(_("当年在建或投产的%(kinds)s") % {
            "kinds": "、".join(str(kinds.get(k, k)) for k in rule["renovation_kinds"])})
    text = "；".join(parts)
    if rule.get("min_level"):
        text += _("（限%(level)s及以上）") % {"level": levels.get(rule["min_level"], rule["min_level"])}
    return text


def bonus_rule_text(rule: dict | None) -> str:
    """A `source: projects` bonus item's rule in words: which stage in the year, which kinds, which level."""
    if not rule:
        return ""
    from jiqun.projects.models import MajorLevel, ProjectKind, Stage

    kinds, levels, stages = dict(ProjectKind.choices), dict(MajorLevel.choices), dict(Stage.choices)
    what = "、".join(str(kinds.get(k, k)) for k in rule.get("kinds") or []) or _("项目")
    text = _("当年%(stage)s的%(what)s") % {"stage": stages.get(rule["stage"], rule["stage"]), "what": what}
    if rule.get("min_level"):
        text += _("（限%(level)s及以上）") % {"level": levels.get(rule["min_level"], rule["min_level"])}
    return text


def consequences_for(user, run: Run, rows: list[RunRow] | None = None) -> list[dict]:
    """What publishing `run` did to the clusters the user sees, each with its action's label."""
    visible = {r.cluster_id for r in (rows if rows is not None else rows_for(user, run))}
    return [{**c, "label": str(Consequence(c["action"]).label)} for c in run.consequences or []
            if c["cluster"] in visible]


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@dataclass
class Line:
    """One indicator of one cluster: raw → normalised → weight → contribution, with where the raw came from."""

    dimension: str
    code: str
    name: str
    unit: str
    clause: str
    raw: Decimal | None
    used: float
    period: str
    note: str
    sources: list[dict]
    registry: list[str]
    normalized: float
    weight: float
    contribution: float

    @property
    def points(self) -> float:
        """The contribution on the 0–100 score scale."""
        return 100 * self.contribution


@dataclass
class Dimension:
    name: str
    weight: float
    contribution: float

    @property
    def points(self) -> float:
        return 100 * self.contribution

    @property
    def rate(self) -> float:
        """The dimension's score as a share of what it could give (0–100), the radar chart's axis."""
        return 100 * self.contribution / self.weight if self.weight else 0.0


@dataclass
class Explanation:
    run: Run
    row: RunRow
    lines: list[Line] = field(default_factory=list)
    dimensions: list[Dimension] = field(default_factory=list)
    keep_share: float | None = None
    additive: bool = True
    clusters: list[str] | None = None  # a region's clusters whose figures are summed
    basis: str = ""  # a project run: why the project is evaluated (新上 or 技改)
    bonus: list[dict] = field(default_factory=list)  # per bonus item: its claims, count, points, cap
    bonus_points: Decimal | None = None
    may_exceed_100: bool = False

    @property
    def total(self) -> float:
        return 100 * sum(line.contribution for line in self.lines)

    @property
    def base(self) -> float:
        """The indicator score before bonus points (0–100)."""
        if self.run.result.get("bonus") is not None and self.row.position is not None:
            return 100 * self.run.result["engine"]["scores"][self.row.position]
        return float(self.row.score or 0)


def _distinct_reports(sources: list[dict]) -> list[dict]:
    """Each report (and revision) once: a ratio reads its two parts from the same report."""
    seen: dict[tuple[int, int], dict] = {}
    for source in sources:
        seen.setdefault((source["report"], source["revision"]), source)
    return list(seen.values())


def _engine_of(run: Run) -> dict:
    """The run's engine result with its input matrix, made once per run object: the Excel sheet and the report
    explain every row."""
    engine = run.__dict__.get("_engine_input")
    if engine is None:
        engine = run.__dict__["_engine_input"] = engine_input(run.result, run.snapshot, run.parameters)
    return engine


def explanation(run: Run, row: RunRow) -> Explanation:
    """Why this row's score: every indicator's raw, normalised, weighted value and its dimension's sum."""
    result = run.result
    position = next(i for i, s in enumerate(run.snapshot["subjects"]) if subject_key(s) == row.subject_key)
    snapshot = run.snapshot["subjects"][position]
    explained = Explanation(run, row, additive=run.parameters["aggregation"] == "weighted_sum",
                            clusters=snapshot.get("clusters"), basis=snapshot.get("basis", ""))
    if run.snapshot.get("bonus"):
        explained.bonus_points, explained.bonus = bonus_points(run.snapshot, snapshot)
        explained.may_exceed_100 = bool(run.snapshot["bonus"].get("may_exceed_100"))
    if row.position is None:
        return explained
    i = row.position
    engine = _engine_of(run)
    matrix_values = engine["matrix"]["values"][i]
    weights = engine["weights"]["weights"]
    normalized = normalized_row(engine, i)
    filled = {(subject_key(f), f["indicator"]): f["how"] for f in result["filled"]}
    dimensions: dict[str, Dimension] = {}
    for j, criterion in enumerate(run.snapshot["criteria"]):
        cell = subject_cell(run.snapshot, position, criterion["code"])
        how = filled.get((row.subject_key, criterion["code"]))
        note = cell.get("note", "")
        if how:
            note = f"缺失（{cell.get('missing', '')}），{how}"
        contribution = weights[j] * normalized[j]
        explained.lines.append(Line(
            dimension=criterion["dimension"], code=criterion["code"], name=criterion["name"], unit=criterion["unit"],
            clause=criterion["clause"], raw=_number(cell["value"]), used=matrix_values[j], period=cell.get("period", ""),
            note=note, sources=_distinct_reports(cell.get("sources", [])), registry=cell.get("registry", []), normalized=normalized[j], weight=weights[j],
            contribution=contribution))
        dimension = dimensions.setdefault(criterion["dimension"], Dimension(criterion["dimension"], 0.0, 0.0))
        dimension.weight += weights[j]
        dimension.contribution += contribution
    explained.dimensions = list(dimensions.values())
    explained.keep_share = (result.get("bonus") or result["stability"])["keep_share"][i]
    return explained


def ranking_chart(rows: list[RunRow]) -> dict[str, Any]:
    """The ranking chart's data: scored rows best first."""
    scored = [r for r in rows if r.score is not None]
    return {"names": [r.subject_name for r in scored], "scores": [float(r.score) for r in scored],
            "grades": [r.grade for r in scored], "ranks": [r.rank for r in scored],
            "intervals": [[r.rank_min, r.rank_max] for r in scored]}


def radar_chart(explained: Explanation) -> dict[str, Any]:
    return {"name": explained.row.subject_name,
            "indicators": [{"name": d.name, "max": 100} for d in explained.dimensions],
            "values": [round(d.rate, 2) for d in explained.dimensions]}


@dataclass
class Reproduction:
    identical: bool
    stored: dict[str, list]
    again: dict[str, list]

    @property
    def differences(self) -> list[str]:
        return [key for key in self.stored if self.stored[key] != self.again.get(key)]


def run_reproduce(run: Run) -> Reproduction:
    """Score the run's own snapshot again with its own parameters and compare with what was stored."""
    again = outcome(evaluate(run.snapshot, run.parameters))
    stored = outcome(run.result)
    return Reproduction(stored == again, stored, again)
