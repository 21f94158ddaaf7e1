"""Reading the incident register for pages, the API, the command line and the workbook."""

from typing import Any

from django.db.models import Q

from jiqun.incidents.models import Incident


def incidents_for(user, *, q: str = "", cluster=None, kind: str = "", severity: str = "", status: str = "",
                  year: int | None = None):
    """The incidents the user sees, filtered, newest first."""
    incidents = Incident.objects.for_user(user) if user is not None else Incident.objects.all()
    if q:
        incidents = incidents.filter(Q(description__icontains=q) | Q(document__icontains=q)
                                     | Q(cluster__name__icontains=q) | Q(enterprise__name__icontains=q))
    if cluster is not None:
        incidents = incidents.filter(cluster=cluster)
    if kind:
        incidents = incidents.filter(kind=kind)
    if severity:
        incidents = incidents.filter(severity=severity)
    if status:
        incidents = incidents.filter(status=status)
    if year:
        incidents = incidents.filter(occurred_on__year=year)
    return incidents.select_related("cluster", "enterprise").order_by("-occurred_on", "-pk")


def incident_data(incident: Incident) -> dict[str, Any]:
    """One incident as plain data (API, --json, workbook)."""
    return {
        "id": incident.pk, "cluster": incident.cluster_id, "cluster_name": incident.cluster.name,
        "enterprise": incident.enterprise_id, "enterprise_name": incident.enterprise.name if incident.enterprise else "",
        "kind": incident.kind, "kind_label": incident.get_kind_display(),
        "severity": incident.severity, "severity_label": incident.get_severity_display(),
        "occurred_on": incident.occurred_on, "description": incident.description, "document": incident.document,
        "status": incident.status, "status_label": incident.get_status_display(),
        "withdrawn_reason": incident.withdrawn_reason, "withdrawn_by": incident.withdrawn_by,
        "withdrawn_at": incident.withdrawn_at, "recorded_by": incident.recorded_by,
        "recorded_organisation": incident.recorded_organisation, "recorded_at": incident.recorded_at,
        "version": incident.version,
    }
