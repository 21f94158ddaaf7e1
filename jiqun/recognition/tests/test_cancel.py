"""Cancelling a call (已撤销): from 草拟 or 申报中, from 评审中 with a reason; one service, one audit event; on the
page, the CLI and the API; a cancelled call's applications are read-only."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Tier
from jiqun.conftest import client_for, token_client
from jiqun.recognition.models import ASPECT_CODES, Attachment, Call, CallStatus
from jiqun.recognition.services import (
    TRANSITIONS,
    application_create,
    assignment_create,
    attachment_add,
    call_cancel,
    call_close,
    call_create,
)
from jiqun.recognition.tests.conftest import DEADLINE, TEXTS, TODAY

pytestmark = pytest.mark.django_db


def moves(call: Call):
    return AuditEvent.objects.exclude(action="denied").filter(object_type="recognition.call", object_id=str(call.pk),
                                                              action="update")


def test_the_table_allows_cancelling_from_the_first_three_steps_only():
    allowed = {s for s, targets in TRANSITIONS.items() if CallStatus.CANCELLED in targets}
    assert allowed == {CallStatus.DRAFT, CallStatus.OPEN, CallStatus.REVIEW}
    assert TRANSITIONS[CallStatus.CANCELLED] == frozenset()


def test_an_open_call_is_cancelled_with_one_audit_event(sheng, call):
    before = moves(call).count()
    call_cancel(actor=sheng, call=call, reason="政策调整")
    call.refresh_from_db()
    assert call.status == CallStatus.CANCELLED and call.cancel_reason == "政策调整"
    assert moves(call).count() == before + 1
    event = moves(call).order_by("-id").first()
    assert event.before == {"status": "open"} and event.after == {"status": "cancelled", "reason": "政策调整"}


def test_in_review_a_reason_is_required(sheng, call, applications):
    call_close(actor=sheng, call=call)
    before = moves(call).count()
    with pytest.raises(ValidationError, match="撤销须填写原因") as refused:
        call_cancel(actor=sheng, call=call, reason="  ")
    assert "测试批次" in refused.value.messages[0]
    call.refresh_from_db()
    assert call.status == CallStatus.REVIEW and moves(call).count() == before
    call_cancel(actor=sheng, call=call, reason="专家评审发现程序问题")
    call.refresh_from_db()
    assert call.status == CallStatus.CANCELLED


def test_a_cancelled_call_cannot_move_again_nor_be_cancelled_twice(sheng, call):
    call_cancel(actor=sheng, call=call)
    with pytest.raises(ValidationError, match="已撤销"):
        call_cancel(actor=sheng, call=call)
    with pytest.raises(ValidationError):
        call_close(actor=sheng, call=call)


def test_only_the_province_cancels(call):
    for username in ("jining", "lingdao", "zhuanjia"):
        with pytest.raises(PermissionDenied):
            call_cancel(actor=User.objects.get(username=username), call=call, reason="x")
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN


def test_a_cancelled_calls_applications_are_read_only(sheng, call, applications, clusters, experts, settings,
                                                      tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_close(actor=sheng, call=call)
    call_cancel(actor=sheng, call=call, reason="撤销")
    application = applications["新能源汽车"]
    with pytest.raises(ValidationError, match="已撤销"):
        attachment_add(actor=None, application=application, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF"),
                       today=TODAY)
    with pytest.raises(ValidationError, match="已撤销"):
        assignment_create(actor=sheng, application=application, expert=experts[0])
    with pytest.raises(ValidationError, match="已撤销"):
        application_create(actor=None, call=call, cluster=clusters["新能源汽车"], texts=TEXTS, today=TODAY)
    assert not Attachment.objects.exists()


def test_a_call_cancelled_as_a_draft_stays_hidden_below_the_province(sheng, programme):


    draft = call_create(actor=sheng, programme=programme, title="草拟即撤销", tier_sought=Tier.PROVINCIAL, quota=1,
                        deadline=DEADLINE, data_year=2025, quantitative_weight=Decimal("0.2"),
                        aspect_weights=dict.fromkeys(ASPECT_CODES, 1))
    call_cancel(actor=sheng, call=draft)
    assert Call.objects.for_user(sheng).filter(pk=draft.pk).exists()
    assert not Call.objects.for_user(User.objects.get(username="jining")).filter(pk=draft.pk).exists()


def test_the_page_cancels_and_refuses_without_a_reason_in_review(sheng, call, applications):
    client = client_for(sheng)
    page = client.get(f"/recognition/{call.pk}/").content.decode()
    assert "撤销批次" in page
    call_close(actor=sheng, call=call)
    refused = client.post(f"/recognition/{call.pk}/move/", {"to": "cancelled", "reason": ""}, follow=True)
    assert "撤销须填写原因" in refused.content.decode()
    call.refresh_from_db()
    assert call.status == CallStatus.REVIEW
    client.post(f"/recognition/{call.pk}/move/", {"to": "cancelled", "reason": "程序问题"})
    call.refresh_from_db()
    assert call.status == CallStatus.CANCELLED
    page = client.get(f"/recognition/{call.pk}/").content.decode()
    assert "本批次已撤销" in page and "程序问题" in page and "撤销批次" not in page


def test_the_command_cancels_and_refuses_with_a_chinese_message(sheng, call, applications, capsys):
    call_close(actor=sheng, call=call)
    with pytest.raises(CommandError, match="撤销须填写原因"):
        call_command("rounds", "cancel", str(call.pk))
    with pytest.raises(CommandError, match="没有编号为 999999 的赛马认定批次"):
        call_command("rounds", "cancel", "999999", "--reason", "x")
    with pytest.raises(CommandError, match="用户 nobody 不存在"):
        call_command("rounds", "cancel", str(call.pk), "--reason", "x", "--user", "nobody")
    call.refresh_from_db()
    assert call.status == CallStatus.REVIEW
    call_command("rounds", "cancel", str(call.pk), "--reason", "程序问题", "--user", "sheng")
    assert "已撤销" in capsys.readouterr().out
    call.refresh_from_db()
    assert call.status == CallStatus.CANCELLED


def test_the_api_cancels(sheng, call, applications):
    call_close(actor=sheng, call=call)
    api = token_client(sheng)
    url = f"/api/v1/recognition/calls/{call.pk}/cancel"
    refused = api.post(url, data=json.dumps({"reason": ""}), content_type="application/json")
    assert refused.status_code == 400 and "撤销须填写原因" in json.dumps(refused.json(), ensure_ascii=False)
    denied = token_client(User.objects.get(username="jining")).post(url, data=json.dumps({"reason": "x"}),
                                                                    content_type="application/json")
    assert denied.status_code == 403
    done = api.post(url, data=json.dumps({"reason": "程序问题"}), content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert done.json()["cancel_reason"] == "程序问题"
