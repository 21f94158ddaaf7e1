"""Programme packs: one YAML file per policy document, validated whole before anything is written.

The schema is described in docs/packs.md. `pack_parse` reads and checks a file and raises `PackError`
listing every problem with the file, the entry and the reason; `pack_install` writes a parsed pack in
one transaction, so a bad pack changes nothing.
"""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PACK_DIR = Path(__file__).resolve().parent / "packs"
SOURCES_DIR = PACK_DIR / "sources"
INDICATORS_FILE = PACK_DIR / "indicators.yaml"


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


class EvaluationSpec(Cited):
    annual: bool = False
    method: str | None = None
    exit_rule: str | None = None
    review_cycle_years: int | None = None
    competitive_recognition: bool = False
    application_aspects: list[str] = []


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
    problems += reporting_problems(spec, catalogue if catalogue is not None else indicator_catalogue())
    task_codes = [t.code for t in spec.tasks]
    for dup in {c for c in task_codes if task_codes.count(c) > 1}:
        problems.append((f"tasks ({dup})", "duplicate task code"))
    if problems:
        raise PackError(path.name, problems)
    return ParsedPack(path=path, spec=spec, digest=hashlib.sha256(path.read_bytes()).hexdigest())


def pack_files() -> list[Path]:
    return sorted(p for p in PACK_DIR.glob("*.yaml") if p.name != INDICATORS_FILE.name)
