"""Refusals an outside attack asked for: thresholds the column cannot hold, a conflict declared after the
assignment, a deadline already past on the page."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jiqun.clusters.models import Tier
from jiqun.recognition.models import ASPECT_CODES, Call
from jiqun.recognition.services import (
    assignment_create,
    call_close,
    call_create,
    conflict_declare,
    scores_submit,
)
from jiqun.recognition.services.calls import results_compute
from jiqun.recognition.tests.conftest import DEADLINE, scores

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("minimum", ["1e30", "-5", "0.00001", "NaN"])
def test_a_threshold_the_column_cannot_hold_is_refused_and_nothing_is_made(sheng, programme, minimum):
    before = Call.objects.count()
    with pytest.raises(ValidationError) as refused:
        call_create(actor=sheng, programme=programme, title="门槛测试", tier_sought=Tier.PROVINCIAL, quota=1,
                    deadline=DEADLINE, data_year=2025, quantitative_weight=Decimal("0.2"),
                    aspect_weights=dict.fromkeys(ASPECT_CODES, 1), thresholds=[("revenue", minimum)])
    assert "门槛值" in " ".join(refused.value.messages)
    assert Call.objects.count() == before


def test_a_conflict_declared_after_the_assignment_stops_the_score_and_does_not_count(
        sheng, call, applications, clusters, experts):
    call_close(actor=sheng, call=call)
    application = applications["高端铝业"]
    late = assignment_create(actor=sheng, application=application, expert=experts[1])
    conflict_declare(actor=sheng, expert=experts[1], cluster=clusters["高端铝业"], reason="后来申报的回避")
    with pytest.raises(ValidationError, match="须回避"):
        scores_submit(actor=experts[1].user, assignment=late, base_version=late.version, scores=scores(99))
    late.refresh_from_db()
    assert late.submitted_at is None
    with pytest.raises(ValidationError, match="高端铝业（未分配专家，或所分配专家均须回避）"):
        results_compute(call=call)


def test_the_page_refuses_a_call_whose_deadline_has_passed():
    from jiqun.recognition.forms import CallForm

    form = CallForm(data={"deadline": "2020-01-01"})
    form.is_valid()
    assert "deadline" in form.errors and "已过" in form.errors["deadline"][0]
