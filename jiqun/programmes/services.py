"""Installing indicator catalogues and programme packs into the database."""

from django.db import transaction

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.clusters.models import Cluster, TierChange
from jiqun.clusters.services import cluster_create
from jiqun.enterprises.models import Enterprise, Source
from jiqun.enterprises.services import enterprise_create, membership_set
from jiqun.programmes.models import ChecklistItem, ClusterKind, Indicator, Programme, Target, Task
from jiqun.programmes.packs import (
    ClusterSpec,
    DocumentSpec,
    IndicatorSpec,
    PackError,
    ParsedPack,
    document_date,
    recognition_date,
)
from jiqun.regions.models import PROVINCE_CODE, Region, Zone
from jiqun.regions.services import region_resolve

ROLE_MAP = {"chain-leader": "chain_leader", "leader": "leader", "backbone": "backbone", "supporting": "supporting"}

@transaction.atomic
def indicators_install(*, actor, specs: list[IndicatorSpec]) -> int:
    for spec in specs:
        Indicator.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name, "unit": spec.unit, "kind": spec.kind, "level": spec.level, "aggregation": spec.aggregation,
                "direction": spec.direction, "precision": spec.precision, "min_value": spec.min,
                "max_value": spec.max, "params": spec.params, "description": spec.description,
                "clause": spec.clause or "",
            },
        )
    by_code = {i.code: i for i in Indicator.objects.all()}
    for spec in specs:
        indicator = by_code[spec.code]
        indicator.numerator = by_code.get(spec.numerator) if spec.numerator else None
        indicator.denominator = by_code.get(spec.denominator) if spec.denominator else None
        indicator.save(update_fields=["numerator", "denominator"])
    audit_record(actor=actor, action=AuditAction.IMPORT, object_type="programmes.indicator",
                 object_repr=f"指标目录 {len(specs)} 项")
    return len(specs)

class _Resolver:
    """Turns the names a pack uses into regions, collecting every name it cannot place."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[tuple[str, str]] = []
        self.province = Region.objects.get(code=PROVINCE_CODE)

    def city(self, name: str | None, where: str) -> Region | None:
        if not name:
            return None
        region = region_resolve(name)
        if region is None or region.level != "city":
            self.problems.append((where, f"'{name}' is not a Shandong city"))
            return None
        return region

    def county(self, city: Region | None, name: str | None, where: str) -> Region | None:
        if not name:
            return None
        qs = Region.objects.filter(name=name, level="county")
        if city is not None:
            qs = qs.filter(parent=city)
        matches = list(qs[:2])
        if len(matches) != 1:
            self.problems.append((where, f"county '{name}' not found{' in ' + city.name if city else ''}"))
            return None
        return matches[0]

    def raise_if_any(self) -> None:
        if self.problems:
            raise PackError(self.file, self.problems)


def _enterprise_place(*, actor, name: str, full_name: str, region: Region, clause: str) -> Enterprise:
    """The enterprise of this name in this place, created from the document if the registry lacks it."""
    enterprise = Enterprise.objects.filter(name=name, region=region).first()
    if enterprise is None:
        enterprise = enterprise_create(actor=actor, name=name, full_name=full_name, region=region,
                                       source=Source.POLICY, clause=clause)
    return enterprise


def _recognition_record(*, cluster: Cluster, item: ClusterSpec, document: DocumentSpec, created: bool) -> None:
    """Date a pack cluster's standing by the document, not by the day the pack was loaded.

    This is the install path's own write of the tier history (the pack import's audit entry covers it): a
    new cluster's first history row takes the document's date (the day it was named); a tiered cluster gets
    `recognised_on` and a history row on its recognition date (`recognition_date`: the pack's recognised_on,
    31 December of a bare year, else the document's date). Reinstalling adds nothing already recorded.
    """
    on = recognition_date(item, document) if item.tier else document_date(document)
    if created and on is not None:
        cluster.tier_changes.update(effective_on=on)  # its only row so far: the one cluster_create wrote
    if not item.tier or on is None:
        return
    basis = (item.recognised_by or f"{document.number or document.title} {item.clause or ''}").strip()[:200]
    recorded = cluster.tier_changes.filter(effective_on=on, tier=item.tier)
    if created:
        recorded.update(basis=basis)
    elif not recorded.exists():
        TierChange.objects.create(cluster=cluster, tier=item.tier, status=cluster.status, effective_on=on,
                                  basis=basis)
    if cluster.recognised_on is None or cluster.recognised_on > on:
        Cluster.objects.filter(pk=cluster.pk).update(recognised_on=on)
        cluster.recognised_on = on


@transaction.atomic
def pack_install(*, actor, parsed: ParsedPack) -> Programme:
    """Create or update a programme and everything its pack names; any unplaceable name aborts it all."""
    spec = parsed.spec
    resolve = _Resolver(parsed.path.name)
    scope_region = resolve.city(spec.scope_city, "scope_city") if spec.scope_city else None
    supersedes = None
    if spec.supersedes:
        supersedes = Programme.objects.filter(code=spec.supersedes).first()
        if supersedes is None:
            resolve.problems.append(("supersedes", f"programme '{spec.supersedes}' is not loaded yet"))

    programme, _ = Programme.objects.update_or_create(
        code=spec.code,
        defaults={
            "name": spec.name, "version": spec.version, "supersedes": supersedes,
            "document_number": spec.document.number or "", "document_title": spec.document.title,
            "issuer": spec.document.issuer or "", "document_date": str(spec.document.date or ""),
            "source_file": spec.document.source, "scope": spec.scope, "scope_region": scope_region,
            "period_start": spec.period["start"], "period_end": spec.period["end"], "tiers": spec.tiers,
            "reporting": spec.reporting.model_dump() if spec.reporting else None,
            "evaluation": spec.evaluation.model_dump() if spec.evaluation else None,
            "pack_hash": parsed.digest,
        },
    )
    kinds = {}
    for kind in spec.cluster_kinds:
        kinds[kind.code], _ = ClusterKind.objects.update_or_create(
            programme=programme, code=kind.code,
            defaults={"name": kind.name, "clause": kind.clause or "", "quote": kind.quote or ""},
        )

    zones: dict[str, Zone] = {}
    for i, zone in enumerate(spec.zones):
        city = resolve.city(zone.city, f"zones[{i}] ({zone.name}).city")
        county = resolve.county(city, zone.county, f"zones[{i}] ({zone.name}).county")
        region = county or city or resolve.province
        zones[zone.name], _ = Zone.objects.update_or_create(
            name=zone.name,
            defaults={"kind": zone.kind, "level": zone.level or "", "region": region,
                      "source": f"{spec.document.number or spec.code} {zone.clause or ''}".strip()},
        )

    clusters: dict[str, Cluster] = {}
    for i, item in enumerate(spec.clusters):
        where = f"clusters[{i}] ({item.code})"
        cities = [resolve.city(name, f"{where}.cities") for name in item.cities]
        counties = [resolve.county(None, name, f"{where}.counties") for name in item.counties]
        regions = [r for r in cities + counties if r is not None] or [scope_region or resolve.province]
        existing = Cluster.objects.filter(programme=programme, code=item.code).first()
        fields = {
            "name": item.name, "kind": kinds.get(item.kind), "tier": item.tier or "",
            "industry": item.industry or "", "clause": item.clause or "", "quote": item.quote or "",
        }
        if existing is None:
            clusters[item.code] = cluster_create(
                actor=actor, programme=programme, code=item.code, regions=regions,
                zones=[zones[z] for z in item.zones if z in zones], **fields,
            )
        else:
            Cluster.objects.filter(pk=existing.pk).update(**fields)
            existing.regions.set(regions)
            clusters[item.code] = existing
        _recognition_record(cluster=clusters[item.code], item=item, document=spec.document,
                            created=existing is None)

    # An enterprise is the same one only under the same name in the same place: Jining's 泰山玻纤 (邹城市) is
    # not the province-wide 泰山玻纤 another document names without a place.
    named: dict[str, Enterprise] = {}
    stated: set[tuple[str, str]] = set()
    for i, item in enumerate(spec.enterprises):
        where = f"enterprises[{i}] ({item.name})"
        city = resolve.city(item.city, f"{where}.city")
        county = resolve.county(city, item.county, f"{where}.county")
        region = county or city or scope_region or resolve.province
        enterprise = _enterprise_place(actor=actor, name=item.name, full_name=item.full_name or "", region=region,
                                       clause=f"{spec.code} {item.clause or ''}".strip())
        named.setdefault(item.name, enterprise)
        for code in item.clusters:
            if code in clusters:
                membership_set(actor=actor, enterprise=enterprise, cluster=clusters[code],
                               role=ROLE_MAP[item.role], source=Source.POLICY)
                stated.add((item.name, code))
    for code, cluster in clusters.items():
        item = next(c for c in spec.clusters if c.code == code)
        for name in item.leading_enterprises:
            if (name, code) in stated:
                continue  # the enterprise entry states its role in this cluster (龙头 or 骨干); the list does not
            enterprise = named.get(name)
            if enterprise is None:
                regions = list(cluster.regions.all()[:2])
                region = regions[0] if len(regions) == 1 else scope_region or resolve.province
                enterprise = _enterprise_place(actor=actor, name=name, full_name="", region=region,
                                               clause=f"{spec.code} {item.clause or ''}".strip())
                named[name] = enterprise
            membership_set(actor=actor, enterprise=enterprise, cluster=cluster, role="leader", source=Source.POLICY)

    indicators = {i.code: i for i in Indicator.objects.all()}
    keep: list[str] = []
    for i, target in enumerate(spec.targets):
        where = f"targets[{i}] ({target.code})"
        subject = target.subject
        region = cluster = zone = None
        if subject.kind == "city":
            region = resolve.city(subject.ref, f"{where}.subject")
        elif subject.kind == "province":
            region = scope_region or resolve.province
        elif subject.kind == "cluster" and subject.ref != "*":
            cluster = clusters.get(subject.ref or "")
        elif subject.kind == "park" and subject.ref not in (None, "*"):
            zone = zones.get(subject.ref)
        installed, _ = Target.objects.update_or_create(
            programme=programme, code=target.code,
            defaults={
                "label": target.label, "subject_kind": subject.kind, "subject_ref": subject.ref or "",
                "subject_region": region, "subject_cluster": cluster, "subject_zone": zone,
                "indicator": indicators[target.indicator], "params": target.params,
                "comparator": target.comparator, "value": target.value, "unit": target.unit,
                "year": target.year, "baseline": target.baseline, "clause": target.clause or "",
                "quote": target.quote or "", "aspiration": target.aspiration or "", "note": target.note or "",
            },
        )
        installed.counted_clusters.set([clusters[code] for code in target.counted_clusters])
        keep.append(target.code)
    programme.targets.exclude(code__in=keep).delete()

    for task in spec.tasks:
        Task.objects.update_or_create(
            programme=programme, code=task.code,
            defaults={
                "title": task.title, "lead_units": task.lead_units, "responsible_units": task.responsible_units,
                "due_year": task.due or spec.period["end"], "clause": task.clause or "", "quote": task.quote or "",
            },
        )
    programme.tasks.exclude(code__in=[t.code for t in spec.tasks]).delete()

    programme.checklist_items.all().delete()
    for checklist in spec.checklists:
        for item in checklist.items:
            ChecklistItem.objects.create(
                programme=programme, checklist_code=checklist.code, checklist_name=checklist.name,
                applies_to=checklist.applies_to, code=item.code, name=item.name,
                clause=item.clause or "", quote=item.quote or "",
            )
    resolve.raise_if_any()
    audit_record(actor=actor, action=AuditAction.IMPORT, obj=programme, after={"pack": parsed.path.name,
                                                                              "sha256": parsed.digest})
    return programme


INDICATOR_EDITABLE = ["name", "unit", "aggregation", "direction", "precision", "min_value", "max_value",
                      "description", "clause"]


@transaction.atomic
def indicator_update(*, actor, indicator: Indicator, **changes) -> Indicator:
    """Edit a catalogue entry (province admin); its code and kind stay, so stored figures keep their meaning."""
    unknown = set(changes) - set(INDICATOR_EDITABLE)
    if unknown:
        raise TypeError(f"indicator_update() got fields it cannot change: {sorted(unknown)}")
    before = {f: str(getattr(indicator, f)) for f in changes}
    for name, value in changes.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=indicator, before=before,
                 after={f: str(getattr(indicator, f)) for f in changes})
    return indicator
