"""What an outside attack on region reports and period opening found: impossible years and deadlines, a period of
region-level indicators only, a 综合表's part above its whole, a rate's change, a list-or-text length message."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from jiqun.api.errors import schema_error_message
from jiqun.monitoring.models import Report, ReportingPeriod
from jiqun.monitoring.services import period_dates_check, report_submit, report_values_save
from jiqun.monitoring.tests.region_helpers import JINING, open_city_period, region_report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [1999, 2101, 99999])
def test_a_year_outside_2000_2100_is_refused_by_name(year):
    with pytest.raises(ValidationError) as caught:
        period_dates_check(year, 1, datetime.date(2026, 4, 25))
    assert "年份" in caught.value.message_dict["year"][0]


@pytest.mark.parametrize("deadline", [datetime.date(1990, 1, 1), datetime.date(2029, 12, 31),
                                      datetime.date(9999, 12, 31)])
def test_an_absurd_deadline_is_refused_naming_the_period_end(deadline):
    with pytest.raises(ValidationError) as caught:
        period_dates_check(2026, 2, deadline)
    message = caught.value.message_dict["deadline"][0]
    assert "截止日期" in message and "2026-06-30" in message


def test_the_command_line_refuses_an_impossible_year_and_opens_nothing():
    open_city_period()  # the programme TEST-JN
    before = ReportingPeriod.objects.count()
    with pytest.raises(CommandError, match="年份 99999"):
        call_command("periods", "open", "--programme", "TEST-JN", "--year", "99999", "--quarter", "1",
                     "--deadline", "2040-04-25")
    assert ReportingPeriod.objects.count() == before


def test_a_period_of_region_level_indicators_alone_makes_only_the_综合表():
    period = open_city_period(codes=["manufacturing_operating_revenue"])
    assert list(period.reports.values_list("region_id", flat=True)) == [JINING]
    assert not Report.objects.filter(period=period, cluster__isnull=False).exists()


def test_a_综合表_with_a_part_above_its_whole_cannot_be_submitted():
    period = open_city_period(codes=["renewable_capacity", "power_capacity", "revenue"])
    report = region_report(period)
    report_values_save(actor=None, report=report, check_permission=False, values={
        "renewable_capacity": {"current": "1700", "previous": "600"},
        "power_capacity": {"current": "1650", "previous": "1580"},
    })
    from jiqun.accounts.models import User

    officer = User.objects.create(username="jining_a", role="city_officer", region_id=JINING)
    with pytest.raises(ValidationError) as caught:
        report_submit(actor=officer, report=report)
    assert any("可再生能源" in m and "电力装机" in m for m in caught.value.messages)


def test_a_length_limit_on_text_speaks_of_characters_and_on_a_list_of_items():
    text = {"type": "too_long", "ctx": {"field_type": "Value", "max_length": 60}}
    items = {"type": "too_long", "ctx": {"field_type": "List", "max_length": 200}}
    assert schema_error_message(text) == "最多 60 个字符"
    assert schema_error_message(items) == "最多 200 项"
