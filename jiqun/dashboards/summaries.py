"""Keep the dashboards' pre-aggregated figures (`FigureSummary`) equal to what the approved-figures selector says.

- `summaries_changed(programme_id)`: called by the services that change an approved figure (a province
  approval, an approved correction, a report leaving 省级审核通过, a cluster joining or leaving a programme or
  region); one UPDATE, no recomputation inside the reviewer's request.
- `summaries_ensure(programme)`: called by every page that reads summaries; rebuilds the programme's rows when a
  change came since they were built, once for however many approvals came in between (a bulk approval of 500
  reports rebuilds once, at the next page view).
- `summaries_refresh(programme)`: the rebuild itself, and `jiqun dashboards rebuild` for all programmes.

Rebuilding reads each figure through `ApprovedFigures` for every cluster of the programme, every region that
holds one of its clusters or files a 综合表 (and the regions above them), and every park holding one; for each
indicator the programme's periods collect and each ratio derivable from them, in every period.
"""

import time

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from jiqun.dashboards.models import FigureSummary, SubjectKind, SummaryState
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.importer.store import bulk_cache, insert_rows, table_of
from jiqun.regions.models import ancestor_codes

BATCH = 20_000


def summaries_changed(programme_id: int | None) -> None:
    """Note that a programme's approved figures changed; its summaries are rebuilt at the next read."""
    if programme_id is not None:
        SummaryState.objects.filter(programme_id=programme_id).update(changes=F("changes") + 1)


def summaries_ensure(programme) -> SummaryState:
    """The programme's summaries, rebuilt first if a change came since they were built."""
    state = SummaryState.objects.filter(programme=programme).first()
    if state is not None and state.fresh:
        return state
    return summaries_refresh(programme)


def _subjects(figures: ApprovedFigures) -> list[tuple[str, object, object]]:
    """(kind, key, Subject) for every cluster, region and park the programme's figures are shown for."""
    subjects = []
    regions: set[str] = set()
    zones: set[int] = set()
    for pk, (_name, cluster_regions, cluster_zones) in sorted(figures.clusters.items()):
        subjects.append((SubjectKind.CLUSTER, pk, figures.cluster(pk)))
        for code in cluster_regions:
            regions.add(code)
            regions.update(ancestor_codes(code))
        zones.update(cluster_zones)
    for by_key in figures.filed.values():
        for kind, key in by_key:
            if kind == "region":
                regions.add(key)
                regions.update(ancestor_codes(key))
    subjects += [(SubjectKind.REGION, code, figures.region(code)) for code in sorted(regions)]
    subjects += [(SubjectKind.ZONE, pk, figures.zone(pk)) for pk in sorted(zones)]
    return subjects


def summary_codes(figures: ApprovedFigures) -> list[str]:
    """The indicators shown: those the periods collect and the ratios derivable from them."""
    collected = sorted(set().union(*figures.collected.values())) if figures.collected else []
    return collected + figures.derivable(collected)


@transaction.atomic
def summaries_refresh(programme) -> SummaryState:
    """Rebuild one programme's summaries from the approved-figures selector."""
    started = time.perf_counter()
    # The state row is the lock: two first page views after an approval rebuild once, one after the other.
    state, _created = SummaryState.objects.select_for_update().get_or_create(programme=programme)
    if state.fresh:
        return state
    changes = state.changes
    figures = ApprovedFigures(programme)
    codes = summary_codes(figures)
    FigureSummary.objects.filter(programme=programme)._raw_delete(connection.alias)  # no cascade: nothing refers to them
    # Rows as tuples, written as the importer writes revisions (COPY on PostgreSQL, executemany on SQLite): a
    # national programme has ~180,000 of them, and model instances through bulk_create cost three times the
    # figures' computation.
    table, columns = table_of(FigureSummary, [
        "kind", "cluster", "region", "zone", "code", "year", "quarter", "current_text", "previous_text", "complete",
        "expected", "reported", "programme"])
    rows, written = [], 0
    with connection.cursor() as cursor, bulk_cache(cursor):
        for kind, key, subject in _subjects(figures):
            link = ((key, None, None) if kind == SubjectKind.CLUSTER else
                    (None, key, None) if kind == SubjectKind.REGION else (None, None, key))
            for code in codes:
                for total in figures.totals(subject, code):
                    rows.append((kind.value, *link, code, total.year, total.quarter, FigureSummary.text(total.current),
                                 FigureSummary.text(total.previous), total.complete, len(total.expected),
                                 total.reported))
            if len(rows) >= BATCH:
                insert_rows(cursor, table, columns, rows, (programme.pk,))
                written += len(rows)
                rows = []
        insert_rows(cursor, table, columns, rows, (programme.pk,))
    written += len(rows)
    state.built = changes
    state.built_at = timezone.now()
    state.rows = written
    state.seconds = round(time.perf_counter() - started, 3)
    state.save()
    return state


def summaries_rebuild(programmes) -> list[SummaryState]:
    """Rebuild the given programmes' summaries whether or not they changed (`jiqun dashboards rebuild`)."""
    built = []
    for programme in programmes:
        summaries_changed(programme.pk)
        built.append(summaries_refresh(programme))
    return built
