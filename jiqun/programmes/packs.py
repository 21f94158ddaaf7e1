"""Programme packs: one YAML file per policy document, validated whole before anything is written.

The schema is described in docs/packs.md. `pack_parse` reads and checks a file and raises `PackError`
listing every problem with the file, the entry and the reason; `pack_install` writes a parsed pack in
one transaction, so a bad pack changes nothing.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PACK_DIR = Path(__file__).resolve().parent / "packs"
SOURCES_DIR = PACK_DIR / "sources"
INDICATORS_FILE = PACK_DIR / "indicators.yaml"
# Count indicators whose unit is a cluster: only their targets may name the clusters they count.
CLUSTER_COUNTS = ("count_clusters", "count_clusters_over", "count_new_clusters")


class PackError(Exception):
    """A pack that cannot be loaded; `problems` are (entry, reason) pairs."""

    def __init__(self, file: str, problems: list[tuple[str, str]]) -> None:
        self.file = file
        self.problems = problems
        lines = [f"{file}: {entry}: {reason}" for entry, reason in problems]
        super().__init__("\n".join(lines))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Cited(Strict):
    clause: str | None = None
    quote: str | None = None


class IndicatorSpec(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    unit: str
    kind: Literal["flow", "stock", "ratio", "difference", "count"]
    level: Literal["cluster", "region"] = "cluster"
    aggregation: Literal["sum", "ratio", "difference", "none"] = "sum"
    direction: Literal["up", "down"] = "up"
    precision: int = Field(default=2, ge=0, le=6)
    min: Decimal | None = None
    max: Decimal | None = None
    numerator: str | None = None
    denominator: str | None = None
    params: list[str] = []
    description: str = ""
    clause: str | None = None


class DocumentSpec(Strict):
    number: str | None = None
    title: str
    issuer: str | None = None
    date: datetime.date | int | str | None = None
    source: str


class KindSpec(Cited):
    code: str
    name: str


class ReportingSpec(Cited):
    """What the programme's periods collect: `indicators` are reported (flow or stock) codes; `frequency` and
    `upward` are what the document says (null where it says nothing), `note` why the list is what it is."""

    frequency: Literal["quarterly", "half-yearly", "yearly"] | None = None
    indicators: list[str] = Field(min_length=1)
    upward: Literal["quarterly", "half-yearly", "yearly"] | None = None
    note: str | None = None


class EvaluationRuleSpec(Cited):
    """A consequence the document attaches to the evaluation, such as a score bonus or a public warning."""

    code: str
    name: str
    consequence: Literal["bonus", "praise", "warning", "resources"]
    yearly: bool = False


class EvaluationSpec(Cited):
    annual: bool = False
    method: str | None = None
    exit_rule: str | None = None
    review_cycle_years: int | None = None
    competitive_recognition: bool = False
    application_aspects: list[str] = []
    rules: list[EvaluationRuleSpec] = []


class ZoneSpec(Cited):
    name: str
    kind: Literal["economic", "hightech", "chemical", "bonded", "other"] = "other"
    level: Literal["national", "provincial"] | None = None
    city: str | None = None
    county: str | None = None


class ClusterSpec(Cited):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    kind: str
    tier: Literal["world", "national", "provincial", "city"] | None = None
    cities: list[str] = []
    counties: list[str] = []
    zones: list[str] = []
    industry: str | None = None
    leading_enterprises: list[str] = []
    # When the tier was given: a date, or a year where the text gives only the year (dated 31 December,
    # so the tier never counts before it held). Without it, the document's date. See docs/packs.md.
    recognised_on: datetime.date | int | None = None
    recognised_by: str | None = None  # the decision that gave the tier, when not this document
    note: str | None = None


class EnterpriseSpec(Cited):
    name: str
    full_name: str | None = None
    city: str | None = None
    county: str | None = None
    clusters: list[str] = []
    role: Literal["chain-leader", "leader", "backbone", "supporting"] = "leader"
    note: str | None = None


class SubjectSpec(Strict):
    kind: Literal["province", "city", "cluster", "chain", "park"]
    ref: str | None = None


class TargetSpec(Cited):
    code: str
    label: str
    subject: SubjectSpec
    indicator: str
    params: dict[str, Any] = {}
    comparator: Literal[">=", "<=", "==", "≈"] = ">="
    value: Decimal
    unit: str
    year: int = Field(ge=2000, le=2100)
    baseline: dict[str, Any] | None = None
    aspiration: Literal["力争", "争取", "努力"] | None = None
    counted_clusters: list[str] = []  # pack cluster codes: a count the clause names counts only these
    note: str | None = None


class TaskSpec(Cited):
    code: str
    title: str
    lead_units: list[str] = []
    responsible_units: list[str] = []
    due: int | None = None


class ChecklistItemSpec(Cited):
    code: str
    name: str


class ChecklistSpec(Strict):
    code: str
    name: str
    applies_to: Literal["chain", "cluster"]
    items: list[ChecklistItemSpec]


class PackSpec(Strict):
    code: str = Field(pattern=r"^[A-Z0-9-]+$")
    name: str
    version: int = Field(ge=1)
    supersedes: str | None = None
    document: DocumentSpec
    scope: Literal["province", "city"]
    scope_city: str | None = None
    period: dict[Literal["start", "end"], int]
    cluster_kinds: list[KindSpec]
    tiers: list[Literal["world", "national", "provincial", "city"]] = []
    reporting: ReportingSpec | None = None
    evaluation: EvaluationSpec | None = None
    zones: list[ZoneSpec] = []
    clusters: list[ClusterSpec] = []
    enterprises: list[EnterpriseSpec] = []
    targets: list[TargetSpec] = []
    tasks: list[TaskSpec] = []
    checklists: list[ChecklistSpec] = []

    @field_validator("period")
    @classmethod
    def period_has_both_ends(cls, value: dict) -> dict:
        if set(value) != {"start", "end"} or value["start"] > value["end"]:
            raise ValueError("period needs start ≤ end")
        return value


@dataclass
class ParsedPack:
    path: Path
    spec: PackSpec
    digest: str


def _entry_name(loc: tuple, data: Any) -> str:
    """Turn a pydantic location into `targets[3] (T04).value`."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = ""
            if isinstance(node, list) and item < len(node) and isinstance(node[item], dict):
                label = node[item].get("code") or node[item].get("name") or ""
            parts[-1] += f"[{item}]" + (f" ({label})" if label else "")
            node = node[item] if isinstance(node, list) and item < len(node) else None
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "(top)"


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PackError(path.name, [("(file)", "file not found")]) from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PackError(path.name, [("(file)", f"not valid UTF-8 YAML: {exc}")]) from exc


def indicators_parse(path: Path = INDICATORS_FILE) -> list[IndicatorSpec]:
    data = _read_yaml(path)
    if not isinstance(data, list):
        raise PackError(path.name, [("(top)", "expected a list of indicators")])
    specs: list[IndicatorSpec] = []
    problems: list[tuple[str, str]] = []
    for index, item in enumerate(data):
        try:
            specs.append(IndicatorSpec.model_validate(item))
        except ValidationError as exc:
            for err in exc.errors():
                label = item.get("code", "") if isinstance(item, dict) else ""
                problems.append((f"[{index}] ({label}).{'.'.join(map(str, err['loc']))}", err["msg"]))
    codes = [s.code for s in specs]
    for code in {c for c in codes if codes.count(c) > 1}:
        problems.append((f"({code})", "duplicate indicator code"))
    for spec in specs:
        for ref in (spec.numerator, spec.denominator):
            if ref and ref not in codes:
                problems.append((f"({spec.code})", f"ratio refers to unknown indicator '{ref}'"))
    if problems:
        raise PackError(path.name, problems)
    return specs


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _quote_problems(spec: PackSpec) -> list[tuple[str, str]]:
    """Every quote must stand in the source text as written there (line breaks aside)."""
    path = SOURCES_DIR / spec.document.source
    if not path.is_file():
        return []
    source = _squeeze(path.read_text(encoding="utf-8"))
    problems: list[tuple[str, str]] = []
    sections = {"cluster_kinds": spec.cluster_kinds, "zones": spec.zones, "clusters": spec.clusters,
                "enterprises": spec.enterprises, "targets": spec.targets, "tasks": spec.tasks}
    for section, items in sections.items():
        for i, item in enumerate(items):
            label = getattr(item, "code", None) or getattr(item, "name", "")
            if item.quote and _squeeze(item.quote) not in source:
                problems.append((f"{section}[{i}] ({label}).quote", "quote is not in the source text"))
    for i, target in enumerate(spec.targets):
        if target.aspiration and target.aspiration not in (target.quote or ""):
            problems.append((f"targets[{i}] ({target.code}).aspiration",
                             f"the quote does not say '{target.aspiration}'"))
    for i, rule in enumerate(spec.evaluation.rules if spec.evaluation else []):
        if rule.quote and _squeeze(rule.quote) not in source:
            problems.append((f"evaluation.rules[{i}] ({rule.code}).quote", "quote is not in the source text"))
    for checklist in spec.checklists:
        for item in checklist.items:
            if item.quote and _squeeze(item.quote) not in source:
                problems.append((f"checklists ({checklist.code}).items ({item.code}).quote",
                                 "quote is not in the source text"))
    return problems


def _as_day(value: datetime.date | int | str | None) -> datetime.date | None:
    """A pack date: a day as given; a year alone is dated 31 December, so nothing counts before it held."""
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int):
        return datetime.date(value, 12, 31)
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def recognition_date(cluster: ClusterSpec, document: DocumentSpec) -> datetime.date | None:
    """The day a pack cluster's tier holds from: its own recognised_on, else the document's date."""
    return _as_day(cluster.recognised_on if cluster.recognised_on is not None else document.date)


def document_date(document: DocumentSpec) -> datetime.date | None:
    """The day the document names its clusters (31 December where only its year is known)."""
    return _as_day(document.date)


# What a programme whose pack has no `reporting` block collects: the seven indicators of the 2020 strategic
# emerging industries document (SD-SEI-2020 三(五)), the only document that names reporting indicators.
DEFAULT_REPORTING = ["revenue", "profit", "new_enterprises", "employees", "researchers", "rd_expenditure",
                     "tech_platforms"]
REPORTED_KINDS = ("flow", "stock")  # ratios and differences are computed from their parts, counts from registries


def indicator_catalogue() -> dict[str, IndicatorSpec]:
    return {spec.code: spec for spec in indicators_parse()}


def reported_parts(code: str, catalogue: dict[str, IndicatorSpec]) -> list[str]:
    """The reported indicators a figure of `code` is computed from: itself for a flow or stock, the parts of a
    ratio or difference (a difference's parts are rates, so their parts in turn), nothing for a count."""
    spec = catalogue.get(code)
    if spec is None or spec.kind == "count":
        return []
    if spec.kind in REPORTED_KINDS:
        return [code]
    parts: list[str] = []
    for part in (spec.numerator, spec.denominator):
        for found in reported_parts(part or "", catalogue):
            if found not in parts:
                parts.append(found)
    return parts


def target_needs(target: TargetSpec, catalogue: dict[str, IndicatorSpec]) -> list[str]:
    """The reported indicators a target is measured on; a count of clusters over a threshold needs the flow it
    measures each cluster by (its `measure`, 主营业务收入 when not given)."""
    if target.indicator == "count_clusters_over":
        return reported_parts(str(target.params.get("measure") or "revenue"), catalogue)
    return reported_parts(target.indicator, catalogue)


def reporting_problems(spec: PackSpec, catalogue: dict[str, IndicatorSpec]) -> list[tuple[str, str]]:
    """Check the reporting list: known, reported (not computed) indicators, each once, and every indicator a
    target is measured on among them (the defaults when the pack has no `reporting` block)."""
    problems: list[tuple[str, str]] = []
    listed = spec.reporting.indicators if spec.reporting else DEFAULT_REPORTING
    where = "reporting.indicators" if spec.reporting else "reporting (null: the default indicators)"
    for code in {c for c in listed if listed.count(c) > 1}:
        problems.append((where, f"'{code}' is listed twice"))
    for code in listed:
        indicator = catalogue.get(code)
        if indicator is None:
            problems.append((where, f"unknown indicator '{code}'"))
        elif indicator.kind == "count":
            problems.append((where, f"'{code}' is counted from the registries, not reported"))
        elif indicator.kind not in REPORTED_KINDS:
            problems.append((where, f"'{code}' is computed from '{indicator.numerator}' and "
                                    f"'{indicator.denominator}': list those instead"))
    for i, target in enumerate(spec.targets):
        missing = [code for code in target_needs(target, catalogue) if code not in listed]
        if missing:
            problems.append((f"targets[{i}] ({target.code})",
                             f"measured on {', '.join(repr(c) for c in missing)} (indicator '{target.indicator}'), "
                             f"which {where} does not collect"))
    return problems


def pack_parse(path: Path, indicator_params: dict[str, list[str]],
               catalogue: dict[str, IndicatorSpec] | None = None) -> ParsedPack:
    """Read and check a pack against the schema, its own cross-references and the indicator catalogue
    (`catalogue`, read from indicators.yaml when not given)."""
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise PackError(path.name, [("(top)", "expected a mapping")])
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        raise PackError(
            path.name, [(_entry_name(err["loc"], data), err["msg"]) for err in exc.errors()]
        ) from exc

    problems: list[tuple[str, str]] = []
    if not (SOURCES_DIR / spec.document.source).is_file():
        problems.append(("document.source", f"source text '{spec.document.source}' is not in packs/sources"))
    kinds = {k.code for k in spec.cluster_kinds}
    cluster_codes = [c.code for c in spec.clusters]
    zone_names = {z.name for z in spec.zones}
    for dup in {c for c in cluster_codes if cluster_codes.count(c) > 1}:
        problems.append((f"clusters ({dup})", "duplicate cluster code"))
    for i, cluster in enumerate(spec.clusters):
        if cluster.kind not in kinds:
            problems.append((f"clusters[{i}] ({cluster.code}).kind", f"unknown cluster kind '{cluster.kind}'"))
        for zone in cluster.zones:
            if zone not in zone_names:
                problems.append((f"clusters[{i}] ({cluster.code}).zones", f"zone '{zone}' is not in zones"))
        if cluster.tier and recognition_date(cluster, spec.document) is None:
            problems.append((f"clusters[{i}] ({cluster.code}).recognised_on",
                             "a tiered cluster needs the date of its recognition: recognised_on, or document.date"))
        if cluster.recognised_on is not None and not cluster.tier:
            problems.append((f"clusters[{i}] ({cluster.code}).recognised_on", "recognised_on needs a tier"))
    for i, ent in enumerate(spec.enterprises):
        for code in ent.clusters:
            if code not in cluster_codes:
                problems.append((f"enterprises[{i}] ({ent.name}).clusters", f"unknown cluster '{code}'"))
    target_codes = [t.code for t in spec.targets]
    for dup in {c for c in target_codes if target_codes.count(c) > 1}:
        problems.append((f"targets ({dup})", "duplicate target code"))
    for i, target in enumerate(spec.targets):
        where = f"targets[{i}] ({target.code})"
        if target.indicator not in indicator_params:
            problems.append((f"{where}.indicator", f"unknown indicator '{target.indicator}'"))
        else:
            unknown = set(target.params) - set(indicator_params[target.indicator])
            if unknown:
                problems.append((f"{where}.params", f"indicator '{target.indicator}' takes no {sorted(unknown)}"))
        ref = target.subject.ref
        if target.subject.kind == "cluster" and ref != "*" and ref not in cluster_codes:
            problems.append((f"{where}.subject", f"unknown cluster '{ref}'"))
        if target.subject.kind == "park" and ref not in (None, "*") and ref not in zone_names:
            problems.append((f"{where}.subject", f"unknown zone '{ref}'"))
        if target.subject.kind == "city" and not ref:
            problems.append((f"{where}.subject", "a city target needs ref: the city's name"))
        if target.counted_clusters and target.indicator not in CLUSTER_COUNTS:
            problems.append((f"{where}.counted_clusters",
                             f"only a count of clusters ({', '.join(CLUSTER_COUNTS)}) can name the clusters it counts"))
        for code in target.counted_clusters:
            if code not in cluster_codes:
                problems.append((f"{where}.counted_clusters", f"unknown cluster '{code}' (not in this pack's clusters)"))
        for dup in {c for c in target.counted_clusters if target.counted_clusters.count(c) > 1}:
            problems.append((f"{where}.counted_clusters", f"cluster '{dup}' is named twice"))
    problems += reporting_problems(spec, catalogue if catalogue is not None else indicator_catalogue())
    task_codes = [t.code for t in spec.tasks]
    for dup in {c for c in task_codes if task_codes.count(c) > 1}:
        problems.append((f"tasks ({dup})", "duplicate task code"))
    problems += _quote_problems(spec)
    if problems:
        raise PackError(path.name, problems)
    return ParsedPack(path=path, spec=spec, digest=hashlib.sha256(path.read_bytes()).hexdigest())


def pack_files() -> list[Path]:
    return sorted(p for p in PACK_DIR.glob("*.yaml") if p.name != INDICATORS_FILE.name)
