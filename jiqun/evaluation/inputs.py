"""The input snapshot of a run: each cluster's approved figure of each scheme indicator for one year, with
where it comes from, read only through the approved-figures selector (jiqun.monitoring.figures).

A flow is year-to-date cumulative, so the year's figure is 1-12月; when a cluster's 1-12月 figure is not
approved, the latest approved period of that year is used and the snapshot says so. A value that cannot be
had is kept as missing, with its reason; the scheme's missing-data rule decides what happens to it.
A registry count (an indicator of kind count: honours, carriers, above-scale members …) is recounted at the end
of the year by the targets' own rule (jiqun.targets.counts), with the names it counted.
The data-quality score (indicator `data_quality`, source "quality") is read from the reports themselves
(jiqun.monitoring.quality_selectors): each cluster's score over the year with its four parts' reasons; a
cluster without a report that can be scored is missing.
"""

from datetime import date
from itertools import compress
from operator import ne
from typing import Any

from jiqun.clusters.models import Cluster, ClusterStatus
from jiqun.evaluation.cells import FORMAT, period_label
from jiqun.incidents.veto import veto_hits
from jiqun.monitoring.figures import ApprovedFigures, Total
from jiqun.programmes.models import Indicator

QUALITY = "data_quality"  # the catalogue code of the data-quality score (not a registry count, not reported)


def source_of(indicator) -> str:
    """Where an indicator's figure comes from: the reports' quality, the registries, or approved statistics."""
    return _source(indicator.code, indicator.kind)


def _source(code: str, kind: str) -> str:
    if code == QUALITY:
        return "quality"
    return "registry" if kind == "count" else "statistics"


def scheme_criteria(scheme) -> list[dict[str, Any]]:
    """The scheme's indicators as the snapshot records them (what the run was asked to measure)."""
    items = scheme.items.order_by("order").values_list(
        "code", "indicator__code", "indicator__kind", "label", "indicator__name", "indicator__unit", "params",
        "dimension", "direction", "weight", "clause")
    return [
        {"code": code, "indicator": indicator, "name": label or name, "unit": unit,  # SchemeItem.name
         "source": _source(indicator, kind), "params": params,
         "dimension": dimension, "direction": direction, "weight": str(weight), "clause": clause}
        for code, indicator, kind, label, name, unit, params, dimension, direction, weight, clause in items
    ]


def _count(data, indicator, params: dict, cluster: int | set[int], year: int) -> dict[str, Any]:
    """A registry count for one cluster (or a region's set of clusters) at the end of `year`
    (jiqun.targets.counts: the targets' own rule)."""
    from jiqun.targets.counts import count_series

    clusters = cluster if isinstance(cluster, set) else {cluster}
    series = count_series(data, indicator, params, clusters, date(year, 12, 31))
    if series.unsupported:
        return {"value": None, "missing": series.unsupported}
    points = [p for p in series.points if p.at.year == year]
    if not points:
        return {"value": None, "missing": f"名录中没有{year}年的记录"}
    point = points[-1]
    return {"value": str(point.value), "period": point.label or f"{year}年",
            "registry": [f"{row.label}{('（' + row.note + '）') if row.note else ''}" for row in series.basis[:50]],
            "note": series.note}


def quality_cells(programme, year: int) -> dict[int, dict[str, Any]]:
    """Each scored cluster's data-quality score over `year` (jiqun.monitoring.quality_scores' rule), with the
    reasons of its four parts as provenance."""
    from jiqun.monitoring.quality import part_labels
    from jiqun.monitoring.quality_selectors import units_quality, year_reports

    labels = part_labels()
    cells = {}
    for unit in units_quality(year_reports(programme, year).filter(cluster__isnull=False)):
        if unit.quality.score is None:
            continue
        reasons = "、".join(f"{labels[name]}{part.reason}" for name, part in unit.quality.parts.items())
        cells[unit.key] = {"value": str(unit.quality.score), "period": f"{year}年", "note": f"数据质量：{reasons}"}
    return cells


def _quality(cells: dict[int, dict[str, Any]], cluster: int, year: int) -> dict[str, Any]:
    return cells.get(cluster) or {"value": None, "missing": f"{year}年没有可评分的集群报表"}


def _cell(totals: list[Total], year: int, refusal: str) -> dict[str, Any]:
    if refusal:
        return {"value": None, "missing": refusal}
    of_year = [t for t in totals if t.year == year]
    complete = [t for t in of_year if t.complete]
    if not complete:
        if not of_year:
            reason = f"{year}年没有收集此指标的报告期或报表"
        else:
            latest = of_year[-1]
            reason = (f"{period_label(year, latest.quarter)}的报表尚未全部省级审核通过或未填报此项"
                      f"（{len(latest.missing)} 份未能使用）")
        return {"value": None, "missing": reason}
    chosen = next((t for t in complete if t.quarter == 4), complete[-1])
    cell = {
        "value": str(chosen.current),
        "period": period_label(year, chosen.quarter),
        "quarter": chosen.quarter,
        "sources": [{"report": s.report, "revision": s.revision, "indicator": s.code} for s in chosen.sources],
    }
    if chosen.quarter != 4:
        cell["note"] = f"{year}年1-12月数据未审核，采用{cell['period']}数据"
    return cell


class _Figures:
    """A year's statistics cells of the clusters, read first from the 1-12月 reports alone: a cell whose 1-12月
    total is complete is that total (what `_cell` chooses whenever it is complete), made straight from the
    reports' values with their provenance; every other cell is `_cell` of all the year's periods, which are
    loaded only when such a cell is asked for."""

    def __init__(self, programme, year: int, clusters: list[tuple[int, str]]) -> None:
        self.programme = programme
        self.as_of = date(year, 12, 31)
        self.year_end = ApprovedFigures(programme, as_of=self.as_of, quarter=4)
        self.clusters = [pk for pk, _name in clusters]
        # The clusters as `ApprovedFigures.cluster` makes them, from the names at hand (without its query of every
        # cluster's regions and zones); one tuple, asked for column after column.
        self.subjects = tuple(self.year_end.subject({pk}, name=name) for pk, name in clusters)
        self._all: ApprovedFigures | None = None
        # The report revisions the columns cite, each at its position in the snapshot's "revisions".
        self.revisions: dict[tuple[int, int], int] = {}
        # By the id of a list of reports: the list, and the revisions and positions of its first column.
        self._first: dict[int, tuple[list, list, list[int | None]]] = {}

    def _all_periods(self) -> ApprovedFigures:
        if self._all is None:
            self._all = ApprovedFigures(self.programme, as_of=self.as_of)
        return self._all

    def column(self, code: str, year: int) -> list[dict[str, Any] | list]:
        """Each cluster's cell of indicator `code` in `year`, in the order of `clusters`, as format 2 keeps a cell
        (jiqun.evaluation.cells): a complete 1-12月 total as a list, any other cell as a dict."""
        return [self._other(pk, subject, code, year) if found is None else [str(found[0]), *found[1]]
                for pk, subject, found in zip(self.clusters, self.subjects,
                                              self.year_end.complete_values(self.subjects, code, year, 4), strict=True)]

    def stored_column(self, code: str, year: int) -> dict[str, list]:
        """Each cluster's cell of indicator `code` in `year` as format 3 keeps a criterion's column
        (jiqun.evaluation.cells): a complete 1-12月 total as its value text, each of its sources as the position in
        `revisions` of the report revision it cites; any other cell as a dict. Made a part at a time rather than a
        value at a time (15,000 values in a national run)."""
        lean = self.year_end.complete_column(self.subjects, code, year, 4)
        if lean is None:
            # Totals citing different numbers of reports (never a cluster's, who reports alone): kept as format 2 does.
            return {"values": self.column(code, year), "indicators": [], "sources": []}
        found, parts = lean
        values = [self._other(pk, subject, code, year) if value is None else str(value)
                  for pk, subject, value in zip(self.clusters, self.subjects, found, strict=True)]
        return {"values": values, "indicators": [indicator for indicator, _reports, _revisions in parts],
                "sources": [self._positions(reports, revisions) for _indicator, reports, revisions in parts]}

    def _positions(self, reports: list[int | None], revisions: list[int | None]) -> list[int | None]:
        """The position in `revisions` of each value's (report, revision), None where the revision is None; report
        revisions not yet cited are added in the order first cited. Most columns cite the same revisions of the same
        reports as the first column of those reports (every entry from a report's first revision, a correction
        changing a few; a ratio's part is the very list of its indicator's column), so only where a column differs
        from that first one is a position looked up."""
        table = self.revisions
        first = self._first.get(id(reports))
        if first is not None and first[0] is reports:
            positions = list(first[2])
            changed = compress(range(len(revisions)), map(ne, revisions, first[1]))  # None differs from a number
        else:
            first = None
            positions = [None] * len(revisions)
            changed = range(len(revisions))
        for i in changed:
            revision = revisions[i]
            if revision is None:
                positions[i] = None
                continue
            key = (reports[i], revision)
            position = table.get(key)
            if position is None:
                position = table[key] = len(table)
            positions[i] = position
        if first is None:  # the first column of these reports (kept with them: their id is not given again)
            self._first[id(reports)] = (reports, revisions, positions)
        return list(positions)

    def _other(self, pk: int, subject, code: str, year: int) -> dict[str, Any]:
        """The cell of a cluster whose 1-12月 total of `code` is not complete: refused, or `_cell` of all the year's
        periods (an earlier period's total, or missing with the reason)."""
        refusal = self.year_end.refusal(subject, code)  # the catalogue's answer, whichever periods are loaded
        if refusal:
            return {"value": None, "missing": refusal}
        figures = self._all_periods()
        return _cell(figures.totals(figures.cluster(pk), code), year, refusal)


def snapshot_collect(scheme, year: int) -> dict[str, Any]:
    """Read every cluster's figures for the scheme's indicators in `year` (status 省级审核通过)."""
    criteria = scheme_criteria(scheme)
    thresholds = scheme.eligibility or []
    indicators, registries = {}, None
    if any(c["source"] == "registry" for c in [*criteria, *thresholds]):  # the counts' rules read the indicators
        from jiqun.targets.figures import ProgrammeData

        wanted = [c["indicator"] for c in criteria] + [t["indicator"] for t in thresholds]
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=wanted)}
        registries = ProgrammeData(scheme.programme, date(year, 12, 31))
    qualities = (quality_cells(scheme.programme, year)
                 if any(c["source"] == "quality" for c in [*criteria, *thresholds]) else {})
    clusters = list(Cluster.objects.filter(programme=scheme.programme).exclude(status=ClusterStatus.EXITED)
                    .order_by("name", "pk").values_list("pk", "name"))
    figures = _Figures(scheme.programme, year, clusters)
    # The statistics cells a column at a time (one indicator for every cluster).
    columns = {c["code"]: figures.stored_column(c["indicator"], year) if c["source"] == "statistics" else
               {"values": [_quality(qualities, pk, year) if c["source"] == "quality" else
                           _count(registries, indicators[c["indicator"]], c["params"], pk, year)
                           for pk, _name in clusters], "indicators": [], "sources": []}
               for c in criteria}
    years = {n: [year] if t.get("years", 1) == 1 else list(range(year - t["years"] + 1, year + 1))
             for n, t in enumerate(thresholds)}
    threshold_columns = {(n, y): figures.column(t["indicator"], y)
                         for n, t in enumerate(thresholds) if t["source"] == "statistics" for y in years[n]}
    # The incidents that veto a cluster are copied into the snapshot: a later withdrawal changes no rerun.
    vetoes = veto_hits(getattr(scheme, "veto", None) or [], [pk for pk, _name in clusters], year)
    subjects = []
    for i, (pk, name) in enumerate(clusters):
        subject_data: dict[str, Any] = {"cluster": pk, "name": name}
        if thresholds:
            def threshold_cell(n: int, t: dict, year: int, cluster_id: int = pk, i: int = i) -> dict[str, Any]:
                return (_quality(qualities, cluster_id, year) if t["source"] == "quality" else
                        _count(registries, indicators[t["indicator"]], t["params"], cluster_id, year)
                        if t["source"] == "registry" else threshold_columns[(n, year)][i])

            # A threshold "in each of the last N years" keeps one cell per year, oldest first.
            subject_data["eligibility"] = {
                str(n): (threshold_cell(n, t, year) if t.get("years", 1) == 1 else
                         {"years": {str(y): threshold_cell(n, t, y) for y in years[n]}})
                for n, t in enumerate(thresholds)}
        if vetoes.get(pk):
            subject_data["veto"] = vetoes[pk]
        subjects.append(subject_data)
    return {"format": FORMAT, "year": year, "as_of": f"{year}-12-31", "programme": scheme.programme.code,
            "criteria": criteria, "eligibility": thresholds, "veto": getattr(scheme, "veto", None) or [],
            "revisions": [list(cited) for cited in figures.revisions], "columns": columns, "subjects": subjects}
