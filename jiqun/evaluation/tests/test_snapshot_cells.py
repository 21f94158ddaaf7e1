"""The snapshot reads the 1-12月 reports first and builds each complete cell straight from them; every cell, read
as format 1 has it (`cell_dict`: a complete 1-12月 total is stored as a list since format 2), must be exactly the
cell the all-periods selector gives through `_cell` (same value text, period, note, reports and revisions, in the
same order and with the same keys), over every cluster scheme of the demo and every year, and over a fixed
programme built to need every fallback: a 1-9月 figure, a missing value, a zero denominator, a report not
approved, a cluster without a report, a threshold over several years."""

import datetime
import json
import random
from decimal import Decimal

import pytest

from jiqun.evaluation.cells import cell_dict, snapshot_column, subject_cell
from jiqun.evaluation.inputs import _cell, _Figures, snapshot_collect
from jiqun.evaluation.models import Scheme, SubjectKind
from jiqun.evaluation.packs import scheme_parse_text
from jiqun.evaluation.services import scheme_install
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.models import Provenance, Report, ReportStatus
from jiqun.monitoring.services import period_open, report_values_save
from jiqun.programmes.models import Indicator, Programme
from jiqun.targets.tests.helpers import make_cluster

pytestmark = pytest.mark.django_db


def text(cell: dict) -> str:
    return json.dumps(cell, ensure_ascii=False)  # key order and every string compared, not only equality


def statistics_cells(snapshot: dict) -> list[tuple[int, str, int, dict]]:
    """(cluster, indicator, year, cell) of every statistics cell of the snapshot, thresholds' included."""
    found = []
    for i, subject in enumerate(snapshot["subjects"]):
        for c in snapshot["criteria"]:
            if c["source"] == "statistics":
                found.append((subject["cluster"], c["indicator"], snapshot["year"],
                              subject_cell(snapshot, i, c["code"])))
        for n, t in enumerate(snapshot["eligibility"]):
            if t["source"] != "statistics":
                continue
            stored = subject["eligibility"][str(n)]
            cells = ({int(y): cell_dict(c, int(y)) for y, c in stored["years"].items()} if "years" in stored
                     else {snapshot["year"]: cell_dict(stored, snapshot["year"])})
            found += [(subject["cluster"], t["indicator"], y, c) for y, c in cells.items()]
    return found


def assert_cells_as_the_all_periods_selector_gives_them(scheme: Scheme, year: int) -> dict[str, int]:
    snapshot = snapshot_collect(scheme, year)
    figures = ApprovedFigures(scheme.programme, as_of=datetime.date(year, 12, 31))
    kinds = {"1-12月": 0, "earlier": 0, "missing": 0}
    for cluster, code, when, cell in statistics_cells(snapshot):
        subject = figures.cluster(cluster)
        expected = _cell(figures.totals(subject, code), when, figures.refusal(subject, code))
        assert text(cell) == text(expected), (scheme.code, year, cluster, code, when)
        kinds["missing" if cell["value"] is None else "1-12月" if cell["quarter"] == 4 else "earlier"] += 1
    return kinds


def test_every_demo_scheme_s_cells_are_the_all_periods_cells_in_every_year():
    kinds = {"1-12月": 0, "earlier": 0, "missing": 0}
    for scheme in Scheme.objects.filter(subject_kind=SubjectKind.CLUSTER).order_by("code", "version"):
        for year in (2024, 2025, 2026):
            for kind, n in assert_cells_as_the_all_periods_selector_gives_them(scheme, year).items():
                kinds[kind] += n
    assert all(kinds.values()), kinds  # each kind of cell was compared


def fill(report, figures: dict, *, approve: bool = True) -> None:
    values = {code: {"current": Decimal(str(current)), "previous": None, "note": "测试"}
              for code, current in figures.items()}
    report_values_save(actor=None, report=report, values=values, provenance=Provenance.DEMO, check_permission=False)
    if approve:
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.PROVINCE_APPROVED)


CODES = ["revenue", "rd_expenditure", "output_value", "hightech_output", "output_growth", "operating_revenue",
         "region_rd_intensity", "manufacturing_operating_revenue"]
SCHEME = """
code: fixed-cells
version: 1
name: 单元格对照
programme: T-CELLS
weight_method: fixed
normalisation: max
aggregation: weighted_sum
grades: {优秀: 85, 良好: 70, 合格: 60}
missing_rule: zero
items:
  - {dimension: 规模, indicator: revenue, weight: 0.2}
  - {dimension: 创新, indicator: rd_intensity_gap, weight: 0.2}
  - {dimension: 结构, indicator: hightech_output_share, weight: 0.2}
  - {dimension: 结构, indicator: manufacturing_share, weight: 0.2}
  - {dimension: 增长, indicator: output_growth, weight: 0.2}
eligibility:
  - {indicator: revenue, min: 1, years: 2, clause: 近两年}
  - {indicator: rd_intensity, min: 0, clause: 研发}
"""


def test_a_fixed_programme_needing_every_fallback_gives_the_all_periods_cells():
    programme = Programme.objects.create(
        code="T-CELLS", name="单元格对照工程", document_title="测试文件", document_date="2024-12-31",
        source_file="x", scope="province", period_start=2024, period_end=2026, pack_hash="x")
    jia = make_cluster(programme, "370811", name="甲集群")
    yi = make_cluster(programme, "370102", name="乙集群")
    bing = make_cluster(programme, "370811", name="丙集群")
    indicators = Indicator.objects.filter(code__in=CODES)
    periods = {(year, quarter): period_open(actor=None, programme=programme, year=year, quarter=quarter,
                                            deadline=datetime.date(year, 12, 31), indicators=indicators)
               for year, quarter in ((2024, 4), (2025, 3), (2025, 4))}
    make_cluster(programme, "370811", name="丁集群")  # registered after the periods: no report at all
    last = periods[(2024, 4)]
    fill(last.reports.get(cluster=jia), {"revenue": 8000})
    fill(last.reports.get(cluster=yi), {"revenue": 700}, approve=False)
    q3, q4 = periods[(2025, 3)], periods[(2025, 4)]
    fill(q3.reports.get(cluster=jia), {"revenue": 7000, "rd_expenditure": 200, "output_value": 9000,
                                       "hightech_output": 3000})
    fill(q3.reports.get(cluster=yi), {"revenue": 600, "rd_expenditure": 10, "output_value": 900, "hightech_output": 100})
    fill(q3.reports.get(region="370000"), {"region_rd_intensity": "1.15"})
    report = q4.reports.get(cluster=jia)
    fill(report, {"revenue": "9000"}, approve=False)
    fill(report, {"revenue": "10000.50", "rd_expenditure": 300, "output_value": 12_000, "hightech_output": 5000,
                  "output_growth": "7.5", "operating_revenue": 10_500})  # revenue corrected: revision 2
    fill(q4.reports.get(cluster=yi), {"revenue": 800, "output_value": 0, "hightech_output": 0})  # no R&D; 0 output
    fill(q4.reports.get(cluster=bing), {"revenue": 900, "rd_expenditure": 20}, approve=False)
    fill(q4.reports.get(region="370000"), {"region_rd_intensity": "1.21"})  # no manufacturing revenue
    scheme, _changed = scheme_install(actor=None, parsed=scheme_parse_text(SCHEME, "fixed-cells.yaml"))
    kinds = assert_cells_as_the_all_periods_selector_gives_them(scheme, 2025)
    assert all(kinds.values()), kinds
    snapshot = snapshot_collect(scheme, 2025)
    at = {s["cluster"]: i for i, s in enumerate(snapshot["subjects"])}
    # format 3: the value's text in the criterion's column, its source the position of [report, revision]
    revenue = snapshot["columns"]["revenue"]
    assert revenue["values"][at[jia.pk]] == "10000.50" and revenue["indicators"] == ["revenue"]
    assert snapshot["revisions"][revenue["sources"][0][at[jia.pk]]] == [report.pk, 2]
    assert subject_cell(snapshot, at[jia.pk], "revenue")["sources"] == [
        {"report": report.pk, "revision": 2, "indicator": "revenue"}]
    assert subject_cell(snapshot, at[jia.pk], "manufacturing_share")["value"] is None  # the 综合表 lacks its denominator
    assert subject_cell(snapshot, at[yi.pk], "hightech_output_share")["quarter"] == 3  # 1-12月: a zero denominator
    assert subject_cell(snapshot, at[yi.pk], "rd_intensity_gap")["quarter"] == 3  # no R&D in 1-12月


class _YearEnd:
    """A stand-in for the 1-12月 selector: the given complete totals, every other cell refused; as columns too
    (`complete_column`) when every total cites the same indicators, as the selector answers."""

    def __init__(self, totals: list) -> None:
        self.totals = totals

    def complete_values(self, subjects, code, year, quarter) -> list:
        return self.totals

    def complete_column(self, subjects, code, year, quarter):
        cited = [total[1] for total in self.totals if total is not None]
        indicators = [source[2] for source in cited[0]] if cited else []
        if any([source[2] for source in sources] != indicators for sources in cited):
            return None
        return ([None if total is None else total[0] for total in self.totals],
                [(indicator, [None if total is None else total[1][p][0] for total in self.totals],
                  [None if total is None else total[1][p][1] for total in self.totals])
                 for p, indicator in enumerate(indicators)])

    def refusal(self, subject, code) -> str:
        return "不适用"


def _figures(totals: list) -> _Figures:
    figures = object.__new__(_Figures)  # without reading a programme: only the column's making is tested
    figures.year_end, figures.revisions, figures._first = _YearEnd(totals), {}, {}
    figures.clusters, figures.subjects = list(range(len(totals))), tuple(range(len(totals)))
    return figures


def _snapshot(figures: _Figures, column: dict) -> dict:
    return {"format": 3, "year": 2025, "revisions": [list(cited) for cited in figures.revisions],
            "columns": {"x": column}, "subjects": [{"cluster": pk} for pk in figures.clusters]}


def test_a_column_cites_each_value_s_own_revision_by_position():
    totals = [None, (Decimal("1.50"), ((7, 1, "a"), (9, 1, "b"))), (Decimal("2"), ((8, 2, "a"), (9, 1, "b")))]
    figures = _figures(totals)
    column = figures.stored_column("x", 2025)
    assert column == {"values": [{"value": None, "missing": "不适用"}, "1.50", "2"], "indicators": ["a", "b"],
                      "sources": [[None, 0, 1], [None, 2, 2]]}
    assert subject_cell(_snapshot(figures, column), 2, "x")["sources"] == [
        {"report": 8, "revision": 2, "indicator": "a"}, {"report": 9, "revision": 1, "indicator": "b"}]
    assert snapshot_column(_snapshot(figures, column), "x") == [None, "1.50", "2"]


def test_a_column_whose_totals_cite_different_indicators_keeps_them_as_format_2_lists():
    totals = [(Decimal("1"), ((7, 1, "a"),)), (Decimal("2"), ((8, 1, "a"), (9, 1, "b")))]
    figures = _figures(totals)
    column = figures.stored_column("x", 2025)
    assert column == {"values": [["1", (7, 1, "a")], ["2", (8, 1, "a"), (9, 1, "b")]], "indicators": [], "sources": []}
    assert subject_cell(_snapshot(figures, column), 1, "x")["sources"] == [
        {"report": 8, "revision": 1, "indicator": "a"}, {"report": 9, "revision": 1, "indicator": "b"}]
    assert snapshot_column(_snapshot(figures, column), "x") == ["1", "2"]


def test_columns_of_the_same_reports_cite_each_revision_at_the_position_first_given_it():
    figures = _figures([None] * 4)
    reports = [7, 8, 9, 10]
    assert figures._positions(reports, [1, 1, None, 1]) == [0, 1, None, 2]
    assert figures._positions(reports, [1, 2, 1, None]) == [0, 3, 4, None]  # only where it differs is it looked up
    assert figures._positions(reports, [2, 2, 1, 1]) == [5, 3, 4, 2]
    assert list(figures.revisions) == [(7, 1), (8, 1), (10, 1), (8, 2), (9, 1), (7, 2)]
    part = [1, 2, None, 2]  # a ratio's part is the very list of its indicator's column: a copy of the same answer
    given = figures._positions(reports, part)
    given.append("changed by the caller")
    assert figures._positions(reports, part) == [0, 3, None, 6]
    assert figures._positions([10, 9, 8, 7], [1, 1, 1, 1]) == [2, 4, 1, 0]  # other reports: their own first column


def test_positions_made_a_column_at_a_time_are_those_of_each_value_looked_up_alone():
    rng = random.Random(20261203)
    for _draw in range(200):
        figures, expected = _figures([]), {}
        lists = [[rng.randint(1, 40) for _ in range(12)] for _ in range(3)]
        for _column in range(rng.randint(1, 8)):
            reports = rng.choice(lists)
            revisions = [rng.choice([None, 1, 1, 1, 2, 3]) for _ in reports]
            wanted = [None if revision is None else expected.setdefault((report, revision), len(expected))
                      for report, revision in zip(reports, revisions, strict=True)]
            assert figures._positions(reports, revisions) == wanted
        assert list(figures.revisions) == list(expected)
