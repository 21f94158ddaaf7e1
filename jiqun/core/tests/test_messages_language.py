"""Refusals of the services, the checks, the importer and the commands come out in the user's language.

Chinese is the default (the other tests compare Chinese texts); these switch English on and expect English,
with the named placeholders filled in and the transition labels (built at import time) translated too.
"""

import io
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from jiqun.accounts.models import User
from jiqun.conftest import token_client
from jiqun.monitoring.importer import ReportImporter
from jiqun.monitoring.models import Report
from jiqun.monitoring.services import (
    report_approve_province,
    report_return,
    report_submit,
    report_values_save,
)
from jiqun.monitoring.tests.helpers import GOOD, open_test_period, values
from jiqun.programmes.models import Target
from jiqun.targets.services import target_override_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def draft(db) -> Report:
    return open_test_period().reports.get(cluster__name="任城测试集群")


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_it_refuses_a_report_move_in_english(draft, english, province_admin, jining_officer):
    with pytest.raises(ValidationError) as refused:
        report_approve_province(actor=province_admin, report=draft)
    assert messages_of(refused.value) == "The report is “Draft”: “Approved by province” is not possible"
    with pytest.raises(ValidationError) as no_reason:
        report_return(actor=jining_officer, report=draft, reason=" ")
    assert messages_of(no_reason.value) == "A return needs a reason"


def test_it_refuses_a_nul_in_a_note_in_english(draft, english):
    with pytest.raises(ValidationError) as refused:
        report_values_save(actor=User.objects.get(username="rencheng"), report=draft,
                           values={"revenue": {"current": "1", "note": "a\x00b"}})
    assert messages_of(refused.value) == (
        "Notes on 主营业务收入: contains a control character U+0000 that is not allowed (character 2); "
        "please remove it and try again")


def test_it_names_the_failed_checks_in_english(draft, english):
    rencheng = User.objects.get(username="rencheng")
    report_values_save(actor=rencheng, report=draft, values={**values(GOOD), "profit": {
        "current": Decimal("6000000"), "previous": Decimal("290000")}})
    with pytest.raises(ValidationError) as refused:
        report_submit(actor=rencheng, report=draft)
    text = messages_of(refused.value)
    assert "Year to date: “利润总额” (6000000) is greater than “主营业务收入” (5200000)" in text
    assert "year on year, over 50%; please explain why (must be explained in “Notes”)" in text


def test_it_refuses_a_workbook_in_english(english, jining_officer):
    period = open_test_period()
    result = ReportImporter(user=jining_officer, content="编码,名称\n".encode(), file_name="季报.xlsx",
                            period=period).run()
    assert [str(p) for p in result.problems] == [
        "File “季报.xlsx” is not an Excel workbook in .xlsx format; please download the template, fill it in and "
        "upload it"]


def test_it_refuses_a_target_adjustment_in_english(english, province_admin, jining_officer):
    target = Target.objects.get(programme__code="SD-2023-185", code="T05")
    with pytest.raises(PermissionDenied, match="^Only the province admin can adjust targets$"):
        target_override_set(actor=jining_officer, target=target, value=Decimal(1), reason="x")
    with pytest.raises(ValidationError) as refused:
        target_override_set(actor=province_admin, target=target, value=Decimal(-1), reason="x")
    assert messages_of(refused.value) == "Target SD-2023-185 T05: the target value cannot be negative (-1)"


def test_it_refuses_a_command_in_english(english):
    with pytest.raises(CommandError, match="^Programme NOPE does not exist$"):
        call_command("periods", "open", "--programme", "NOPE", "--year", "2025", "--quarter", "1",
                     "--deadline", "2025-04-15")
    with pytest.raises(CommandError, match="^--as-of: “tomorrow” is not a date in YYYY-MM-DD format$"):
        call_command("targets", "status", "--as-of", "tomorrow", stdout=io.StringIO())


def test_it_refuses_a_nul_through_the_api_in_english(draft):
    client = token_client(User.objects.get(username="rencheng"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.put(f"/api/v1/reports/{draft.pk}/values", data=json.dumps({"revenue": {"note": "a\x00b"}}),
                          content_type="application/json", headers={"If-Match": '"0"'})
    assert response.status_code == 422
    assert "contains a control character U+0000 that is not allowed (character 2)" in response.json()["detail"]
    assert Report.objects.get(pk=draft.pk).revision == 0
