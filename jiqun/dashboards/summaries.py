"""Keep the dashboards' pre-aggregated figures (`FigureSummary`) equal to what the approved-figures selector says.

- `summaries_changed(programme_id, period=…)`: called by the services that change an approved figure (a province
  approval, an approved correction, a report leaving 省级审核通过: with the report's period; a cluster joining or
  leaving a programme, a region or a park: without one); one small write, no recomputation inside the request.
- `summaries_ensure(programme)`: called by every page that reads summaries; rebuilds the programme's rows when a
  change came since they were built, once for however many approvals came in between (a bulk approval of 500
  reports rebuilds once, at the next page view).
- `summaries_refresh(programme)`: the rebuild itself, and `jiqun dashboards rebuild` (`summaries_rebuild`) for
  all programmes, always whole.

Rebuilding reads each figure through `ApprovedFigures` for every cluster of the programme, every region that
holds one of its clusters or files a 综合表 (and the regions above them), and every park holding one; for each
indicator the programme's periods collect and each ratio derivable from them, in every period.

Incremental rebuild. A stored row of one period depends on that period's reports only: every report holds its
figures cumulated from January and its own 上年同期 (`ApprovedFigures._compute` reads `filed[(year, quarter)]`
alone, a ratio combines two totals of the same period), so no later quarter or year follows from an approval.
Beyond the approved figures, the rows depend on the subjects (the clusters with their regions and parks, the
regions filing a 综合表, the scope region), the indicators and their definitions, and who files a report in
each period (a report opened makes its reporter expected): their digest is kept in `SummaryState.layout`. So
after changes that named their periods, the rebuild recomputes every subject of those periods, and of any
period whose collected indicators or reporters moved; when the subjects or indicators moved, or a change named
no period, it rebuilds the whole programme. Either way the rows are those a whole rebuild would write
(jiqun/dashboards/tests/test_summaries_incremental.py).
"""

import hashlib
import time
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from jiqun.dashboards.models import FigureSummary, SubjectKind, SummaryState
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.importer.store import bulk_cache, insert_rows, table_of
from jiqun.monitoring.models import Report, ReportingPeriod
from jiqun.regions.models import ancestor_codes

BATCH = 20_000
COLUMNS = ["kind", "cluster", "region", "zone", "code", "year", "quarter", "current_text", "previous_text",
           "complete", "expected", "reported", "programme"]


def period_key(year: int, quarter: int) -> str:
    return f"{year}-{quarter}"


@transaction.atomic
def summaries_changed(programme_id: int | None, *, period=None) -> None:
    """Note that a programme's approved figures changed (in one reporting period, when given); its summaries are
    rebuilt at the next read."""
    if programme_id is None:
        return
    if period is None:
        SummaryState.objects.filter(programme_id=programme_id).update(changes=F("changes") + 1, whole=True)
        return
    # The row lock (as the UPDATE above takes) orders this change after a rebuild that is reading the state.
    state = SummaryState.objects.select_for_update().filter(programme_id=programme_id).first()
    if state is None:
        return  # never built: the first read builds it whole
    key = period_key(period.year, period.quarter)
    state.changes += 1
    if not state.whole and key not in state.periods:
        state.periods = [*state.periods, key]
    state.save(update_fields=["changes", "periods"])


def summaries_ensure(programme) -> SummaryState:
    """The programme's summaries, rebuilt first if a change came since they were built."""
    state = SummaryState.objects.filter(programme=programme).first()
    if state is not None and state.fresh:
        return state
    return summaries_refresh(programme)


def _reporters(programme) -> dict[tuple[int, int], list]:
    """Who files a report (of any status) in each period: the clusters and the regions (综合表), as
    `ApprovedFigures.filed` keys them. One light query: no figures are read."""
    found: dict[tuple[int, int], list] = defaultdict(list)
    rows = (Report.objects.filter(period__programme=programme, enterprise__isnull=True).order_by()
            .values_list("period__year", "period__quarter", "cluster_id", "region_id"))
    for year, quarter, cluster, region in rows:
        found[(year, quarter)].append(("cluster", cluster) if cluster else ("region", region))
    return found


def _subjects(figures: ApprovedFigures, reporters: dict) -> list[tuple[str, object, object]]:
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
    for keys in reporters.values():
        for kind, key in keys:
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


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


def _layout(figures: ApprovedFigures, subjects: list, codes: list[str], reporters: dict) -> dict:
    """What the rows depend on besides the approved figures: the subjects with their members and 综合表, the
    indicators with their definitions (all periods), and per period the indicators it collects and who files."""
    catalogue = figures.catalogue
    definitions = [(c, catalogue[c].kind, catalogue[c].level, catalogue[c].aggregation, catalogue[c].numerator_id,
                    catalogue[c].denominator_id) for c in codes]
    members = [(str(kind), key, sorted(subject.members, key=str), subject.region) for kind, key, subject in subjects]
    return {"subjects": _digest((members, definitions)),
            "periods": {period_key(year, quarter): _digest((sorted(collected), sorted(reporters.get((year, quarter), []),
                                                                                      key=str)))
                        for (year, quarter), collected in sorted(figures.collected.items())}}


def _rows(figures: ApprovedFigures, subjects: list, codes: list[str]):
    """The rows of every subject and indicator in the periods `figures` loaded, as tuples in COLUMNS' order
    (without the programme)."""
    for kind, key, subject in subjects:
        link = ((key, None, None) if kind == SubjectKind.CLUSTER else
                (None, key, None) if kind == SubjectKind.REGION else (None, None, key))
        for code in codes:
            for total in figures.totals(subject, code):
                yield (kind.value, *link, code, total.year, total.quarter, FigureSummary.text(total.current),
                       FigureSummary.text(total.previous), total.complete, len(total.expected), total.reported)


def _write(programme, rows) -> int:
    """Insert the rows as the importer writes revisions (COPY on PostgreSQL, executemany on SQLite): a national
    programme has ~180,000 of them, and model instances through bulk_create cost three times the figures'
    computation."""
    table, columns = table_of(FigureSummary, COLUMNS)
    batch, written = [], 0
    with connection.cursor() as cursor, bulk_cache(cursor):
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                insert_rows(cursor, table, columns, batch, (programme.pk,))
                written += len(batch)
                batch = []
        insert_rows(cursor, table, columns, batch, (programme.pk,))
    return written + len(batch)


@transaction.atomic
def summaries_refresh(programme) -> SummaryState:
    """Bring one programme's summaries up to date from the approved-figures selector: only the periods that
    changed when the changes named them and nothing else moved, else all of them."""
    started = time.perf_counter()
    # The state row is the lock: two first page views after an approval rebuild once, one after the other.
    state, _created = SummaryState.objects.select_for_update().get_or_create(programme=programme)
    if state.fresh:
        return state
    changes = state.changes
    figures = ApprovedFigures(programme)  # its reports are read only by a whole rebuild (`filed` is lazy)
    reporters = _reporters(programme)
    subjects, codes = _subjects(figures, reporters), summary_codes(figures)
    layout = _layout(figures, subjects, codes, reporters)
    built = state.layout or {}
    if state.whole or not state.built or built.get("subjects") != layout["subjects"]:
        FigureSummary.objects.filter(programme=programme)._raw_delete(connection.alias)  # nothing refers to them
        state.rows = _write(programme, _rows(figures, subjects, codes))
        if connection.vendor == "postgresql":  # ~180,000 rows replaced: plan the pages' reads on fresh statistics
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {FigureSummary._meta.db_table}")
    else:
        old, new = built.get("periods", {}), layout["periods"]
        stale = set(state.periods) | {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
        for key in sorted(stale):
            year, quarter = (int(part) for part in key.split("-"))
            rows = FigureSummary.objects.filter(programme=programme, year=year, quarter=quarter)
            state.rows -= rows._raw_delete(connection.alias)
            if key in new:
                period = ReportingPeriod.objects.get(programme=programme, year=year, quarter=quarter)
                state.rows += _write(programme, _rows(ApprovedFigures(programme, period=period), subjects, codes))
    state.built = changes
    state.whole = False
    state.periods = []
    state.layout = layout
    state.built_at = timezone.now()
    state.seconds = round(time.perf_counter() - started, 3)
    state.save()
    return state


def summaries_rebuild(programmes) -> list[SummaryState]:
    """Rebuild the given programmes' summaries whole, whether or not they changed (`jiqun dashboards rebuild`)."""
    built = []
    for programme in programmes:
        summaries_changed(programme.pk)
        built.append(summaries_refresh(programme))
    return built
