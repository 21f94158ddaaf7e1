"""Gather the facts the data-quality score (`quality.py`) is computed from, per reporting unit.

A reporting unit is a cluster (its cluster reports) or a region (its 综合表). Quality is about the reports
themselves (what was filled, when, with which explanations), so this reads the reports as they stand, their
transitions (ReportEvent) and their corrections; it never serves as a source of figures.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from jiqun.monitoring.checks import WARNING
from jiqun.monitoring.models import CorrectionRequest, CorrectionStatus, Report, ReportEvent, ReportingPeriod
from jiqun.monitoring.quality import Quality, ReportFacts, combined_quality, report_quality
from jiqun.monitoring.selectors import report_indicators
from jiqun.monitoring.services import report_findings
from jiqun.monitoring.values import values_of


def report_facts(report: Report) -> ReportFacts:
    """The facts of one report: asked and filled values, first submission, warnings and their notes, corrections."""
    asked = list(report_indicators(report))
    stored = values_of(report.figures)
    filled, missing = 0, []
    for indicator in asked:
        value = stored.get(indicator.code)
        present = sum(1 for v in ((value.current, value.previous) if value else (None, None)) if v is not None)
        filled += present
        if present < 2:
            missing.append(indicator.name)
    findings, notes = report_findings(report)
    warnings = [f for f in findings if f.severity == WARNING]
    unexplained = [f.message for f in warnings if not (notes.get(f.indicator) or "").strip()]
    submits = [e.at for e in report.events.all() if e.action == "submit"]
    approved = [c for c in report.corrections.all() if c.status == CorrectionStatus.APPROVED]
    return ReportFacts(
        asked=2 * len(asked), filled=filled, missing=tuple(missing), deadline=report.period.deadline,
        submitted_on=timezone.localdate(min(submits)) if submits else None,
        warnings=tuple(f.message for f in warnings), unexplained=tuple(unexplained), corrections=len(approved),
    )


@dataclass
class UnitQuality:
    """One reporting unit's quality over the reports asked, and each report's."""

    kind: str  # cluster | region
    key: int | str  # the cluster's pk or the region's code
    name: str
    quality: Quality
    reports: list[tuple[Report, Quality]]


def _reports(reports) -> list[Report]:
    return list(
        reports.filter(enterprise__isnull=True).select_related("period__programme", "cluster", "region")
        .prefetch_related(Prefetch("events", queryset=ReportEvent.objects.order_by("at", "id")),
                          Prefetch("corrections", queryset=CorrectionRequest.objects.all()))
        .order_by("period__year", "period__quarter", "cluster_id", "region_id")
    )


def units_quality(reports, as_of: datetime.date | None = None) -> list[UnitQuality]:
    """The quality of each unit with a report among `reports` (a queryset, already scoped), worst first."""
    as_of = as_of or timezone.localdate()
    grouped: dict[tuple[str, int | str], list[tuple[Report, Quality]]] = defaultdict(list)
    names: dict[tuple[str, int | str], str] = {}
    for report in _reports(reports):
        key = ("cluster", report.cluster_id) if report.cluster_id else ("region", report.region_id)
        names[key] = report.subject_name
        grouped[key].append((report, report_quality(report_facts(report), as_of)))
    units = [UnitQuality(kind, key, names[(kind, key)], combined_quality([q for _r, q in rows]), rows)
             for (kind, key), rows in grouped.items()]
    return sorted(units, key=lambda u: (u.quality.score is None, u.quality.score or 0, u.name))


def period_reports(period: ReportingPeriod, user):
    return Report.objects.for_user(user).filter(period=period)


def year_reports(programme, year: int, user=None):
    reports = Report.objects.filter(period__programme=programme, period__year=year)
    return reports if user is None else reports.filter(pk__in=Report.objects.for_user(user).values("pk"))


def quality_scores(programme, year: int, as_of: datetime.date | None = None) -> dict[int, Decimal]:
    """The data-quality score (0–100) of each cluster of `programme` over `year`'s periods, for an evaluation.

    This is the indicator an evaluation scheme uses so that reporting discipline counts: one Decimal per
    cluster with at least one report that can be scored; a cluster without reports that year is absent (the
    scheme's missing-data rule decides), never zero. The rule is `quality.report_quality`; `as_of` (default
    today) decides whether a period's deadline has passed.
    """
    units = units_quality(year_reports(programme, year).filter(cluster__isnull=False), as_of)
    return {u.key: u.quality.score for u in units if u.quality.score is not None}
