"""The veto list (一票否决) of a scheme applied to the incident register, read only.

A veto item names incident kinds, a minimum severity, a window in years and the clause behind it. An incident
triggers the item for its cluster when it is on the register (not withdrawn) at the time of asking, of one of
the kinds, at least as grave as the minimum, and occurred inside the window: the `window_years` calendar years
ending with the year asked about (window 3 for 2025: 2023-01-01 to 2025-12-31, "近三年").

What a hit records is everything a page, a workbook or the API shows about it, so a run that keeps the hits in
its snapshot shows and reproduces them after the incident is withdrawn.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from jiqun.incidents.models import SEVERITY_RANK, Incident, IncidentKind, IncidentStatus, Severity


def window(year: int, years: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the `years` calendar years ending with `year`."""
    return datetime.date(year - years + 1, 1, 1), datetime.date(year, 12, 31)


def veto_hits(items: list[dict[str, Any]], cluster_ids: Iterable[int], year: int,
              until: datetime.date | None = None) -> dict[int, list[dict[str, Any]]]:
    """Per cluster, the (item, incident) pairs that veto it for `year`; clusters without a hit are left out.

    `until` cuts the window short (an application screened before the year ends counts incidents up to that day).
    """
    if not items:
        return {}
    ids = list(cluster_ids)
    kinds = dict(IncidentKind.choices)
    severities = dict(Severity.choices)
    hits: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        first, last = window(year, int(item["window_years"]))
        if until is not None:
            last = min(last, until)
        minimum = SEVERITY_RANK[item["min_severity"]]
        incidents = (Incident.objects.filter(cluster_id__in=ids, status=IncidentStatus.RECORDED, kind__in=item["kinds"],
                                             occurred_on__gte=first, occurred_on__lte=last)
                     .select_related("enterprise").order_by("occurred_on", "pk"))
        for incident in incidents:
            if SEVERITY_RANK[incident.severity] < minimum:
                continue
            hits.setdefault(incident.cluster_id, []).append({
                "code": item["code"], "label": item["label"], "clause": item["clause"],
                "window": f"{first.isoformat()}～{last.isoformat()}",
                "incident": incident.pk, "kind": incident.kind, "kind_label": str(kinds[incident.kind]),
                "severity": incident.severity, "severity_label": str(severities[incident.severity]),
                "occurred_on": incident.occurred_on.isoformat(), "document": incident.document,
                "enterprise": incident.enterprise.name if incident.enterprise else "",
                "description": incident.description[:200],
            })
    return hits


def hit_text(hit: dict[str, Any]) -> str:
    """One hit in a sentence: the item, the incident, its date and document, and the clause."""
    who = f"（{hit['enterprise']}）" if hit.get("enterprise") else ""
    clause = f"，依据：{hit['clause']}" if hit.get("clause") else ""
    return (f"{hit['label']}：{hit['occurred_on']} {hit['severity_label']}{hit['kind_label']}{who}"
            f"，文号 {hit['document']}{clause}")


def veto_text(hits: list[dict[str, Any]]) -> str:
    return "；".join(hit_text(h) for h in hits)


def programme_veto(programme) -> list[dict[str, Any]]:
    """The veto items of a programme's standards: those of the newest version of each of its schemes."""
    from jiqun.evaluation.models import Scheme

    newest: dict[str, Any] = {}
    for scheme in Scheme.objects.filter(programme=programme).order_by("code", "-version"):
        newest.setdefault(scheme.code, scheme)
    items: list[dict[str, Any]] = []
    for scheme in newest.values():
        items += [{**item, "scheme": scheme.code} for item in (scheme.veto or [])]
    return items
