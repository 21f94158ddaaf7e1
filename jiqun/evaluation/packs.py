"""Evaluation schemes as pack data: one YAML file per scheme version in jiqun/evaluation/schemes/.

`scheme_parse` reads and checks a file whole and raises `SchemePackError` listing every problem with the
file, the entry and the reason (in Chinese); `jiqun.evaluation.services.scheme_install` writes it. The format
is described in docs/evaluation.md.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from jiqun.core.text import control_character_error
from jiqun.evaluation.inputs import QUALITY

SCHEME_DIR = Path(__file__).resolve().parent / "schemes"
WEIGHT_TOLERANCE = Decimal("0.000001")


class SchemePackError(Exception):
    """A scheme file that cannot be loaded; `problems` are (entry, reason) pairs."""

    def __init__(self, file: str, problems: list[tuple[str, str]]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("\n".join(f"{file}: {entry}: {reason}" for entry, reason in problems))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ItemSpec(Strict):
    code: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)
    dimension: str = Field(min_length=1, max_length=40)
    indicator: str = Field(min_length=1, max_length=60)
    params: dict[str, str | int] = Field(default_factory=dict)
    label: str = Field(default="", max_length=100)
    direction: Literal["benefit", "cost"] = "benefit"
    weight: Decimal = Field(ge=0, le=1)
    clause: str = Field(default="", max_length=200)


class ThresholdSpec(Strict):
    indicator: str = Field(min_length=1, max_length=60)
    params: dict[str, str | int] = Field(default_factory=dict)
    min: Decimal | None = None
    max: Decimal | None = None
    clause: str = Field(default="", max_length=200)
    years: int = Field(default=1, ge=1, le=10)  # "in each of the last N years": one snapshot cell per year


class VetoSpec(Strict):
    """One veto (一票否决) item: an incident of these kinds, at least this grave, in the last `window_years`
    years refuses the subject; `clause` cites the standard that says so."""

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)
    label: str = Field(min_length=1, max_length=60)
    kinds: list[str] = Field(min_length=1)
    min_severity: Literal["major", "large", "general"] = "major"
    window_years: int = Field(default=3, ge=1, le=10)
    clause: str = Field(min_length=1, max_length=200)


class ConsequencesSpec(Strict):
    """What publishing a run does: clusters graded `warn_grade` go on warning; `exit_after` consecutive yearly
    published runs of the scheme's code at that grade propose exit (None: no exit rule)."""

    warn_grade: Literal["不合格", "合格"] = "不合格"
    exit_after: int | None = Field(default=None, ge=1, le=10)
    clause: str = Field(min_length=1, max_length=200)


class RegionsSpec(Strict):
    """The regions a region scheme evaluates: those of `level` inside region `within` (a code, or its prefix:
    "3708" is 济宁市, "37" the province)."""

    level: Literal["city", "county"]
    within: str = Field(pattern=r"^[0-9]{2}([0-9]{2}([0-9]{2})?)?$")

    @property
    def code(self) -> str:
        return self.within.ljust(6, "0")


ProjectKindName = Literal["demonstration", "chain_support", "service_platform", "investment", "renovation"]
LevelName = Literal["province", "city", "county"]
LEVEL_ORDER = {"county": 1, "city": 2, "province": 3}  # a 重大项目 level "at least" another: province > city > county
PROJECT_MEASURES = ("project_total_investment", "project_completed_investment", "project_completion_rate",
                    "project_stage", "project_chain", "project_onsite_score")  # catalogue codes of project schemes


class ProjectRuleSpec(Strict):
    """Which projects of the library a bonus item counts: those of the programme's clusters located in the region
    that reached `stage` (开工 or 投产) in the run's year by their StageEvent date; only of `kinds` (empty: any kind)
    and, with `min_level`, only 重大项目 of at least that level (province > city > county)."""

    stage: Literal["started", "producing"]
    kinds: list[ProjectKindName] = Field(default_factory=list)
    min_level: LevelName | None = None


class ProjectSubjectsSpec(Strict):
    """The projects a project scheme (观摩评比) evaluates, among the programme's clusters' projects: 新上 projects
    of `kinds` that reached 开工 within the run's year (or, with `new_within_years: n`, within it and the n−1 years
    before), and 技改 projects of `renovation_kinds` under way in it (开工 reached by the year's end, 投产 not before
    it began); with `min_level` only 重大项目 of that level or above."""

    kinds: list[ProjectKindName] = Field(min_length=1)
    new_within_years: int = Field(default=1, ge=1, le=5)
    renovation_kinds: list[ProjectKindName] = Field(default_factory=list)
    min_level: LevelName | None = None


class BonusSpec(Strict):
    """A bonus item (加分项): `points` for each counted item, at most `cap` per region and year. `source` says
    where the counted items come from: `claims` (加分事项 the region files and the province decides) or
    `projects` (the project library, by the rule in `projects`)."""

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)
    label: str = Field(min_length=1, max_length=100)
    points: Decimal = Field(gt=0, le=100)
    cap: Decimal = Field(gt=0, le=100)
    clause: str = Field(min_length=1, max_length=200)
    source: Literal["claims", "projects"] = "claims"
    projects: ProjectRuleSpec | None = None


class SchemeSpec(Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)
    version: int = Field(ge=1, le=9999)
    name: str = Field(min_length=1, max_length=100)
    programme: str
    subject_kind: Literal["cluster", "region", "project"] = "cluster"
    regions: RegionsSpec | None = None
    projects: ProjectSubjectsSpec | None = None
    bonus: list[BonusSpec] = Field(default_factory=list)
    bonus_may_exceed_100: bool = False
    weight_method: Literal["fixed", "entropy", "critic", "combined", "ahp"] = "fixed"
    ahp: list[list[float | str]] | None = None
    combine_alpha: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)
    normalisation: Literal["max", "minmax", "vector"] = "max"
    aggregation: Literal["weighted_sum", "topsis"] = "weighted_sum"
    grades: dict[Literal["优秀", "良好", "合格"], Decimal]
    missing_rule: Literal["excluded", "zero", "imputed_mean"] = "excluded"
    clause: str = Field(default="", max_length=200)
    weights_note: str = Field(default="", max_length=200)
    description: str = ""
    items: list[ItemSpec] = Field(min_length=1)
    eligibility: list[ThresholdSpec] = Field(default_factory=list)
    consequences: ConsequencesSpec | None = None
    veto: list[VetoSpec] = Field(default_factory=list)


@dataclass
class ParsedScheme:
    path: str
    spec: SchemeSpec
    sha256: str


def scheme_files() -> list[Path]:
    return sorted(SCHEME_DIR.glob("*.yaml"))


def _entry(loc: tuple, data: object) -> str:
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
        items = data.get("items") if isinstance(data, dict) else None
        name = items[loc[1]].get("indicator", "") if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict) else ""
        return f"第{loc[1] + 1}项指标{f'（{name}）' if name else ''}" + (f".{loc[2]}" if len(loc) > 2 else "")
    if len(loc) >= 2 and loc[0] == "bonus" and isinstance(loc[1], int):
        return f"第{loc[1] + 1}项加分项" + "".join(f".{part}" for part in loc[2:])
    return ".".join(str(part) for part in loc) or "文件"


def scheme_parse_text(text: str, name: str) -> ParsedScheme:
    """Check a scheme's YAML text; every problem is listed at once."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else "文件"
        raise SchemePackError(name, [(where, "不是有效的 YAML")]) from None
    if not isinstance(data, dict):
        raise SchemePackError(name, [("文件", "内容应为一个评价方案（键值表）")])
    texts = _text_problems(data, ())
    if texts:
        raise SchemePackError(name, texts)
    try:
        spec = SchemeSpec.model_validate(data)
    except PydanticError as exc:
        problems = [(_entry(tuple(e["loc"]), data), _message(e)) for e in exc.errors()]
        raise SchemePackError(name, problems) from None
    problems = _content_problems(spec)
    if problems:
        raise SchemePackError(name, problems)
    return ParsedScheme(name, spec, hashlib.sha256(text.encode()).hexdigest())


def scheme_parse(path: Path) -> ParsedScheme:
    return scheme_parse_text(path.read_text(encoding="utf-8"), path.name)


def _text_problems(value: object, loc: tuple) -> list[tuple[str, str]]:
    """Every text of the file under the platform's text rule (no control, bidi or invisible characters): a
    scheme's names show on pages and in terminals."""
    if isinstance(value, str):
        message = control_character_error(value)
        return [(".".join(str(p) for p in loc) or "文件", message)] if message else []
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _text_problems(key, loc) + _text_problems(item, (*loc, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _text_problems(item, (*loc, i))]
    return []


def _message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "不认识的字段"
    if kind == "missing":
        return "缺少此项"
    if kind == "string_pattern_mismatch":
        return "编码只能由小写字母、数字和连字符组成"
    if kind == "literal_error":
        expected = str((error.get("ctx") or {}).get("expected", ""))
        return f"须为以下之一：{expected.replace(' or ', '、').replace(', ', '、')}"
    from jiqun.api.errors import schema_error_message

    return schema_error_message(error)


def _content_problems(spec: SchemeSpec) -> list[tuple[str, str]]:
    """What the schema cannot say: known programme and indicators, weights summing to 1, ordered grades."""
    from jiqun.programmes.models import Indicator, Programme

    problems: list[tuple[str, str]] = []
    if not Programme.objects.filter(code=spec.programme).exists():
        problems.append(("programme", f"培育工程“{spec.programme}”不存在（请先载入其数据包）"))
    known = {i.code: i for i in Indicator.objects.filter(code__in=[i.indicator for i in spec.items])}
    seen: set[str] = set()
    for n, item in enumerate(spec.items, start=1):
        indicator = known.get(item.indicator)
        code = item.code or item.indicator
        if indicator is None:
            problems.append((f"第{n}项指标", f"指标“{item.indicator}”不在指标目录中"))
        elif (indicator.code in PROJECT_MEASURES) != (spec.subject_kind == "project"):
            problems.append((f"第{n}项指标", f"“{indicator.name}”是项目指标，只用于项目方案（subject_kind: project）"
                                              if indicator.code in PROJECT_MEASURES else
                                              f"项目方案只用项目指标（{'、'.join(PROJECT_MEASURES)}），“{indicator.name}”不是"))
        elif indicator.code in PROJECT_MEASURES and item.params:
            problems.append((f"第{n}项指标", f"项目指标“{indicator.name}”不带参数"))
        elif indicator.code == QUALITY and item.params:
            problems.append((f"第{n}项指标", f"“{indicator.name}”由报表的数据质量算出，不带参数"))
        elif indicator.kind == "count":
            allowed = set(indicator.params or [])
            extra = sorted(set(item.params) - allowed)
            if extra:
                problems.append((f"第{n}项指标", f"计数指标“{indicator.name}”没有参数 {'、'.join(extra)}"
                                                  f"（可用：{'、'.join(sorted(allowed)) or '无'}）"))
        elif item.params:
            problems.append((f"第{n}项指标", f"“{indicator.name}”是统计指标，不带计数参数"))
        if code in seen:
            problems.append((f"第{n}项指标", f"编码“{code}”重复出现；同一指标用两次时请给每项不同的 code"))
        seen.add(code)
    total = sum((i.weight for i in spec.items), Decimal(0))
    if abs(total - 1) > WEIGHT_TOLERANCE:
        problems.append(("items", f"各项权重之和应为 1，现为 {total.normalize()}"))
    missing_grades = [g for g in ("优秀", "良好", "合格") if g not in spec.grades]
    if missing_grades:
        problems.append(("grades", f"缺少等级分数线：{'、'.join(missing_grades)}"))
    else:
        lines = [spec.grades["优秀"], spec.grades["良好"], spec.grades["合格"]]
        if not (100 >= lines[0] > lines[1] > lines[2] >= 0):
            problems.append(("grades", "分数线应在 0 至 100 之间且 优秀 > 良好 > 合格"))
    thresholds = {i.code: i for i in Indicator.objects.filter(code__in=[t.indicator for t in spec.eligibility])}
    for n, threshold in enumerate(spec.eligibility, start=1):
        indicator = thresholds.get(threshold.indicator)
        if indicator is None:
            problems.append((f"第{n}项参评条件", f"指标“{threshold.indicator}”不在指标目录中"))
        elif threshold.params and indicator.code == QUALITY:
            problems.append((f"第{n}项参评条件", f"“{indicator.name}”由报表的数据质量算出，不带参数"))
        elif threshold.params and indicator.kind != "count":
            problems.append((f"第{n}项参评条件", f"“{indicator.name}”是统计指标，不带计数参数"))
        if threshold.min is None and threshold.max is None:
            problems.append((f"第{n}项参评条件", "请给出下限 min 或上限 max"))
        elif threshold.min is not None and threshold.max is not None and threshold.min > threshold.max:
            problems.append((f"第{n}项参评条件", "下限大于上限"))
    problems += _region_problems(spec)
    problems += _project_problems(spec)
    problems += _veto_problems(spec)
    problems += _ahp_problems(spec)
    if spec.aggregation == "weighted_sum" and spec.normalisation == "vector":
        problems.append(("normalisation", "加权求和请用极大值归一化或极差标准化，向量归一化用于 TOPSIS"))
    return problems


def _region_problems(spec: SchemeSpec) -> list[tuple[str, str]]:
    """A region scheme names its regions, has no cluster consequences and no per-cluster quality score; bonus
    items are for region schemes, each code once, the cap at least one item's points."""
    from jiqun.regions.models import Region

    problems: list[tuple[str, str]] = []
    if spec.subject_kind == "region":
        if spec.regions is None:
            problems.append(("regions", "区域方案须给出参评地区，如 {level: county, within: \"3708\"}"))
        elif not Region.objects.filter(code=spec.regions.code).exists():
            problems.append(("regions.within", f"行政区划“{spec.regions.within}”不存在"))
        if spec.consequences is not None:
            problems.append(("consequences", "区域方案发布只记录等级，不设集群预警或退出后果"))
        codes = [i.indicator for i in spec.items] + [t.indicator for t in spec.eligibility]
        if QUALITY in codes:
            problems.append(("items", "数据质量分按集群报表计算，不能用于区域方案"))
    else:
        if spec.regions is not None:
            problems.append(("regions", "只有区域方案（subject_kind: region）填写参评地区"))
        if spec.bonus:
            problems.append(("bonus", "加分项只用于区域方案（subject_kind: region）"))
    seen: set[str] = set()
    for n, item in enumerate(spec.bonus, start=1):
        if item.code in seen:
            problems.append((f"第{n}项加分项", f"编码“{item.code}”重复出现"))
        seen.add(item.code)
        if item.cap < item.points:
            problems.append((f"第{n}项加分项", f"上限 {item.cap.normalize():f} 分小于每项分值 {item.points.normalize():f} 分"))
        if item.source == "projects" and item.projects is None:
            problems.append((f"第{n}项加分项", "来源为项目库（source: projects）时须给出计数规则 projects，"
                                               "如 {stage: started, min_level: city}"))
        elif item.source == "claims" and item.projects is not None:
            problems.append((f"第{n}项加分项", "计数规则 projects 只用于来源为项目库（source: projects）的加分项"))
    return problems


def _project_problems(spec: SchemeSpec) -> list[tuple[str, str]]:
    """A project scheme (观摩评比) names its projects and has no regions, bonus, thresholds, veto or consequences."""
    if spec.subject_kind != "project":
        return [("projects", "只有项目方案（subject_kind: project）填写参评项目")] if spec.projects else []
    problems: list[tuple[str, str]] = []
    if spec.projects is None:
        problems.append(("projects", "项目方案须给出参评项目，如 {kinds: [investment], renovation_kinds: [renovation]}"))
    for key, present in (("eligibility", spec.eligibility), ("veto", spec.veto), ("consequences", spec.consequences)):
        if present:
            problems.append((key, "项目方案按项目库数据排名，不设参评门槛、一票否决或发布后果"))
    return problems


def _veto_problems(spec: SchemeSpec) -> list[tuple[str, str]]:
    """Known incident kinds and unique codes in the veto list."""
    from jiqun.incidents.models import IncidentKind

    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for n, item in enumerate(spec.veto, start=1):
        unknown = [k for k in item.kinds if k not in IncidentKind.values]
        if unknown:
            problems.append((f"第{n}项否决条件", f"事件类别 {'、'.join(unknown)} 不存在"
                                                  f"（可用：{'、'.join(IncidentKind.values)}）"))
        if item.code in seen:
            problems.append((f"第{n}项否决条件", f"编码“{item.code}”重复出现"))
        seen.add(item.code)
    return problems


def judgement(value: float | str) -> float:
    """A Saaty judgement: a number, or a fraction written "1/3"."""
    if isinstance(value, str):
        top, _slash, bottom = value.partition("/")
        return float(top) / float(bottom) if bottom else float(top)
    return float(value)


def ahp_result(spec: SchemeSpec):
    """The engine's AHP result for the scheme's judgements (jiqun.scoring.ahp, eigenvector, Saaty's RI)."""
    from jiqun.scoring import ahp

    codes = [item.code or item.indicator for item in spec.items]
    return ahp([[judgement(v) for v in row] for row in spec.ahp or []], names=codes)


def _ahp_problems(spec: SchemeSpec) -> list[tuple[str, str]]:
    from jiqun.scoring import ScoringInputError

    if spec.weight_method != "ahp":
        return [("ahp", "只有层次分析法（weight_method: ahp）的方案填写判断矩阵")] if spec.ahp else []
    n = len(spec.items)
    if not spec.ahp or len(spec.ahp) != n or any(len(row) != n for row in spec.ahp):
        return [("ahp", f"层次分析法须给出 {n}×{n} 的判断矩阵（行列按指标顺序）")]
    try:
        result = ahp_result(spec)
    except (ValueError, ZeroDivisionError) as exc:
        text = str(exc).rsplit(" / ", 1)[-1] if isinstance(exc, ScoringInputError) else "判断值应为正数或 a/b 形式的分数"
        return [("ahp", text)]
    if not result.consistent:
        return [("ahp", f"判断矩阵一致性比率 CR = {result.cr:.3f}，超过 {result.threshold}，请调整判断")]
    return []
