"""Reads of the dashboards' figures: every page that shows an approved figure at a glance asks here.

The numbers are the approved-figures selector's (`jiqun.monitoring.figures`), stored per programme by
`jiqun.dashboards.summaries` and rebuilt after approvals; who sees which row is `scoping.figure_summary_q`.
Each method is one query, so a page at national scale reads only the rows it draws.
"""

from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import reverse

from jiqun.dashboards.models import FigureSummary, SubjectKind
from jiqun.dashboards.summaries import summaries_ensure


class Summaries:
    """One programme's figures as `user` may see them."""

    def __init__(self, user, programme) -> None:
        self.programme = programme
        self.state = summaries_ensure(programme)
        self.rows = FigureSummary.objects.for_user(user).filter(programme=programme)

    def periods(self, code: str | None = None) -> list[tuple[int, int]]:
        """(year, quarter) with at least one complete figure, newest first."""
        rows = self.rows.filter(complete=True)
        if code:
            rows = rows.filter(code=code)
        return sorted(set(rows.values_list("year", "quarter").distinct()), reverse=True)

    def latest(self, code: str | None = None) -> tuple[int, int] | None:
        periods = self.periods(code)
        return periods[0] if periods else None

    def codes(self) -> set[str]:
        return set(self.rows.values_list("code", flat=True).distinct())

    def _subject(self, kind: str, key) -> dict:
        return {"kind": kind, {"cluster": "cluster_id", "region": "region_id", "zone": "zone_id"}[kind]: key}

    def series(self, kind: str, key, code: str) -> list[FigureSummary]:
        """One subject's indicator in every period, oldest first (complete or not: `value` is None when not)."""
        return list(self.rows.filter(code=code, **self._subject(kind, key)).order_by("year", "quarter"))

    def at(self, kind: str, key, code: str, year: int, quarter: int) -> FigureSummary | None:
        return self.rows.filter(code=code, year=year, quarter=quarter, **self._subject(kind, key)).first()

    def many(self, kind: str, key, codes: Iterable[str], year: int, quarter: int) -> dict[str, FigureSummary]:
        """Several indicators of one subject in one period, by code."""
        rows = self.rows.filter(code__in=list(codes), year=year, quarter=quarter, **self._subject(kind, key))
        return {row.code: row for row in rows}

    def column(self, kind: str, code: str, year: int, quarter: int, keys: Iterable | None = None) -> dict:
        """One indicator in one period for every subject of a kind the user sees (or those in `keys`), by key."""
        field = {"cluster": "cluster_id", "region": "region_id", "zone": "zone_id"}[kind]
        rows = self.rows.filter(kind=kind, code=code, year=year, quarter=quarter)
        if keys is not None:
            rows = rows.filter(**{f"{field}__in": list(keys)})
        return {getattr(row, field): row for row in rows}


def figure_address(row: FigureSummary) -> str:
    """The lasting address of a figure's source page: what the figure is, not which stored row (rows are replaced
    at each rebuild after an approval)."""
    key = row.cluster_id or row.region_id or row.zone_id
    query = urlencode({"programme": row.programme.code, "kind": row.kind, "key": key, "code": row.code,
                       "year": row.year, "quarter": row.quarter})
    return f"{reverse('dashboards:figure_at')}?{query}"


def figure_url(row: FigureSummary | None) -> str | None:
    """The page that shows where a figure comes from (its reports and revisions)."""
    return figure_address(row) if row is not None else None


def subject_name(row: FigureSummary) -> str:
    if row.kind == SubjectKind.CLUSTER:
        return str(row.cluster)
    if row.kind == SubjectKind.REGION:
        return str(row.region)
    return str(row.zone)
