"""Reads of the 招引名录 for a user: the filtered list, one segment's entries (the chain page's panel), and
the plain data of an entry (pages, workbook and API share it)."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from jiqun.chains.models import Chain, Priority, Prospect, ProspectStatus, Segment
from jiqun.chains.permissions import can_edit_prospects

PRIORITY_ORDER = Case(When(priority=Priority.HIGH, then=Value(0)), When(priority=Priority.MEDIUM, then=Value(1)),
                      default=Value(2), output_field=IntegerField())


def prospects_for(user, *, chain: Chain | int | None = None, segment: Segment | int | None = None,
                  status: str = "", priority: str = "", q: str = "") -> QuerySet[Prospect]:
    """The entries the user sees, filtered; a chain or segment the user does not see lists nothing."""
    entries = (Prospect.objects.for_user(user)
               .select_related("segment__chain__region", "company", "project")
               .annotate(priority_rank=PRIORITY_ORDER))
    if chain is not None:
        entries = entries.filter(segment__chain=chain)
    if segment is not None:
        entries = entries.filter(segment=segment)
    if status:
        entries = entries.filter(status=status)
    if priority:
        entries = entries.filter(priority=priority)
    if q:
        entries = entries.filter(Q(company__name__icontains=q) | Q(segment__name__icontains=q))
    return entries.order_by("segment__chain__code", "segment__sort", "segment__code", "priority_rank", "pk")


def prospects_of(segment: Segment, user) -> list[Prospect]:
    """One segment's entries as the user sees them (empty for a user outside the chain's 招引名录)."""
    return list(prospects_for(user, segment=segment))


def prospects_panel(segment: Segment, user) -> dict:
    """What templates/chains/prospects_panel.html shows for a segment: its entries, each with its project and
    that project's stage (the loop gap → target → project), and whether the user may add one."""
    entries = prospects_of(segment, user)
    return {
        "segment": segment,
        "prospects": entries,
        "can_add": bool(getattr(user, "is_authenticated", False)) and not segment.retired
        and can_edit_prospects(user, segment.chain),
        "counts": {status: sum(1 for p in entries if p.status == status) for status in ProspectStatus.values},
    }


def prospect_data(prospect: Prospect) -> dict:
    segment, chain = prospect.segment, prospect.segment.chain
    project = prospect.project
    return {
        "id": prospect.pk, "chain": chain.pk, "chain_name": chain.name, "segment": segment.pk,
        "segment_code": segment.code, "segment_name": segment.name, "company": prospect.company_id,
        "company_name": prospect.company.name, "company_place": prospect.company.place,
        "reason": prospect.reason, "priority": prospect.priority, "priority_label": prospect.get_priority_display(),
        "status": prospect.status, "status_label": prospect.get_status_display(),
        "project": prospect.project_id, "project_name": project.name if project else "",
        "project_stage": project.stage if project else "",
        "project_stage_label": project.get_stage_display() if project else "",
        "owner_unit": prospect.owner_unit, "created_by": prospect.created_by, "created_at": prospect.created_at,
        "version": prospect.version,
    }
