"""`ApprovedFigures.complete_values`, the lean answer an evaluation run reads: for every subject, indicator and
period it must be exactly what `total` says when that total is complete (the same value, to the last digit and
exponent, citing the same reports and revisions in the same order), and None whenever `total` is None or not
complete - over the whole demo, and over a fixed programme built to have every way of being incomplete."""

import datetime
from decimal import Decimal

import pytest

from jiqun.enterprises.models import Enterprise
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.models import Provenance, Report, ReportStatus
from jiqun.monitoring.services import period_open, report_values_save
from jiqun.programmes.models import Indicator, Programme
from jiqun.targets.tests.helpers import make_cluster

pytestmark = pytest.mark.django_db


def lean(total):
    """What `complete_values` must give for this Total: None unless complete; the value as text keeps its exponent."""
    if total is None or not total.complete:
        return None
    return str(total.current), tuple((s.report, s.revision, s.code) for s in total.sources)


def answers(book: ApprovedFigures, subjects: list) -> tuple[dict, dict]:
    """Every (subject, indicator, period) answer of `total` and of `complete_values`, side by side; and of
    `complete_column` for the subjects of one reporter each, read back as `complete_values` gives them."""
    expected, got = {}, {}
    ones = [n for n, subject in enumerate(subjects) if len(subject.members) == 1]
    for code in book.catalogue:
        for year, quarter in book.collected:
            column = book.complete_values(subjects, code, year, quarter)
            for n, subject in enumerate(subjects):
                expected[(n, code, year, quarter)] = lean(book.total(subject, code, year, quarter))
                found = column[n]
                got[(n, code, year, quarter)] = None if found is None else (str(found[0]), found[1])
            # all the subjects when they are answered as a column (None: some total cites more reports than others)
            for asked in ([*range(len(subjects))], ones):
                lean_column = book.complete_column([subjects[n] for n in asked], code, year, quarter)
                assert lean_column is not None or asked is not ones
                values, parts = lean_column or ([None] * len(asked), [])
                for at, n in enumerate(asked):
                    cited = tuple((reports[at], revisions[at], indicator) for indicator, reports, revisions in parts
                                  if revisions[at] is not None)
                    assert len(cited) == (0 if values[at] is None else len(parts))
                    column_answer = None if values[at] is None else (str(values[at]), cited)
                    assert lean_column is None or column_answer == got[(n, code, year, quarter)], (n, code, year, quarter)
    return expected, got


def test_the_lean_answer_is_the_complete_total_for_every_demo_subject_indicator_and_period():
    compared = complete = 0
    for programme in Programme.objects.filter(periods__isnull=False).distinct().order_by("code"):
        for book in (ApprovedFigures(programme), ApprovedFigures(programme, enterprises=True)):
            clusters = sorted(book.clusters)
            subjects = [book.cluster(pk) for pk in clusters] + [book.subject(clusters[:2]), book.subject(clusters)]
            subjects += [book.region(code) for code in
                         Report.objects.filter(period__programme=programme, region__isnull=False)
                         .values_list("region_id", flat=True).distinct()]
            if book.enterprises is True:
                subjects.append(book.enterprises_of(Enterprise.objects.filter(
                    reports__period__programme=programme).values_list("pk", flat=True).distinct()))
            expected, got = answers(book, subjects)
            assert got == expected, programme.code
            compared += len(expected)
            complete += sum(answer is not None for answer in expected.values())
    assert complete > 1000 and compared > complete  # the demo has both, plenty of each


def programme_of(code: str) -> Programme:
    return Programme.objects.create(
        code=code, name=f"测试精简{code}", document_title="测试文件", document_date="2024-12-31", source_file="x",
        scope="province", period_start=2025, period_end=2026, pack_hash="x")


def fill(report, figures: dict, *, approve: bool = True) -> Report:
    """Write {code: current} as the system; mark the report 省级审核通过 unless told not to."""
    values = {code: {"current": Decimal(str(current)), "previous": None, "note": "测试"}
              for code, current in figures.items()}
    report_values_save(actor=None, report=report, values=values, provenance=Provenance.DEMO, check_permission=False)
    if approve:
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.PROVINCE_APPROVED)
    return report


CODES = ["revenue", "rd_expenditure", "output_value", "hightech_output", "output_growth", "operating_revenue",
         "region_rd_intensity", "manufacturing_operating_revenue"]


def test_every_way_of_being_incomplete_gives_none_and_every_complete_total_its_value_and_provenance():
    programme = programme_of("T-LEAN")
    jia = make_cluster(programme, "370811", name="甲集群")
    yi = make_cluster(programme, "370102", name="乙集群")
    bing = make_cluster(programme, "370811", name="丙集群")
    q3, q4 = (period_open(actor=None, programme=programme, year=2025, quarter=quarter,
                          deadline=datetime.date(2025, 12, 31), indicators=Indicator.objects.filter(code__in=CODES))
              for quarter in (3, 4))
    ding = make_cluster(programme, "370811", name="丁集群")  # registered after the periods: no report at all
    report = q4.reports.get(cluster=jia)
    fill(report, {"revenue": "9000"}, approve=False)
    fill(report, {"revenue": "10000.50", "rd_expenditure": 300, "output_value": 12_000, "hightech_output": "5E+3",
                  "output_growth": "7.5", "operating_revenue": 10_500})  # revenue corrected: revision 2
    fill(q4.reports.get(cluster=yi), {"revenue": 800, "output_value": 0, "hightech_output": 0})  # no R&D; 0 output
    fill(q4.reports.get(cluster=bing), {"revenue": 900, "rd_expenditure": 20}, approve=False)  # not approved
    fill(q4.reports.get(region="370000"), {"region_rd_intensity": "1.21"})  # no manufacturing revenue
    fill(q3.reports.get(cluster=jia), {"revenue": 7000, "rd_expenditure": 200})  # the 1-9月 综合表 left unfilled
    book = ApprovedFigures(programme, as_of=datetime.date(2025, 12, 31))
    subjects = [book.cluster(c.pk) for c in (jia, yi, bing, ding)]
    subjects += [book.subject({jia.pk, ding.pk}), book.subject({jia.pk, yi.pk}), book.region("370000"),
                 book.region("370800"), book.subject({jia.pk}, region="370800")]
    expected, got = answers(book, subjects)
    assert got == expected

    # and the fixture is what it claims: each case below is complete or not as intended
    def of(n: int, code: str, quarter: int = 4):
        return got[(n, code, 2025, quarter)]

    revenue = report.revisions.order_by("number").last()
    assert of(0, "revenue")[1] == ((report.pk, 2, "revenue"),) and revenue.number == 2
    assert Decimal(of(0, "revenue")[0]) == Decimal("10000.5")
    assert Decimal(of(0, "hightech_output_share")[0]) == Decimal(5000) * 100 / Decimal(12_000)
    assert of(0, "rd_intensity_gap") is not None and len(of(0, "rd_intensity_gap")[1]) == 3
    assert of(0, "manufacturing_share") is None  # the 综合表 lacks its denominator
    assert of(1, "rd_expenditure") is None and of(1, "hightech_output_share") is None  # no value; 0 output
    assert of(2, "revenue") is None and of(3, "revenue") is None  # not approved; no report
    assert of(4, "revenue") == of(0, "revenue")  # 丁 has no report, so only 甲 is expected
    assert Decimal(of(5, "revenue")[0]) == Decimal("10800.5") and of(5, "revenue")[1] == of(0, "revenue")[1] + of(1, "revenue")[1]
    assert of(5, "output_growth") is None and of(0, "output_growth")[1] == ((report.pk, 2, "output_growth"),)
    assert of(6, "revenue") is None  # 丙 is not approved
    assert of(7, "region_rd_intensity") is None and of(8, "region_rd_intensity") is None  # no city 综合表
    assert of(0, "revenue", 3) is not None and of(0, "rd_intensity_gap", 3) is None  # no 1-9月 综合表
