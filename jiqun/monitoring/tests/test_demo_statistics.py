"""The demo's quarterly statistics keep the rules they show: nobody approves a report it filled or submitted, and
each 综合表's 上年同期 is what last year's 综合表 reported."""

import pytest

from jiqun.monitoring.models import Report, ReportEvent
from jiqun.monitoring.services import report_findings

pytestmark = pytest.mark.django_db

APPROVALS = {"approve_city", "approve_for_city", "approve_province"}


def test_no_demo_report_is_approved_by_whoever_submitted_it():
    submitted = dict(ReportEvent.objects.filter(action="submit").values_list("report_id", "actor_name"))
    approvals = ReportEvent.objects.filter(action__in=APPROVALS)
    assert approvals.exists()
    assert [(e.report_id, e.actor_name) for e in approvals if submitted.get(e.report_id) == e.actor_name] == []


def test_the_demo_fills_both_综合表_and_their_上年同期_match_last_years_approved_figures():
    reports = Report.objects.filter(region__isnull=False).select_related("period")
    assert {r.region_id for r in reports} == {"370000", "370800"}
    for report in reports.filter(period__year=2026):
        findings, _notes = report_findings(report)
        assert [f.message for f in findings if "去年审定数" in f.message] == [], report


def test_the_demo_units_submit_by_the_deadline():
    from jiqun.monitoring.quality_selectors import quality_scores
    from jiqun.programmes.models import Programme

    scores = quality_scores(Programme.objects.get(code="JN-2020-231"), 2025)
    assert scores and min(scores.values()) > 50
