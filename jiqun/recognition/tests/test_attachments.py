"""Attachments of an application: what is kept, every refusal (which changes nothing and names the file and
the application), the hostile files, and who may download (scoped, audited, never inline)."""

import datetime
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from jiqun.accounts.models import Role, User
from jiqun.accounts.services import user_create
from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster, Tier
from jiqun.conftest import client_for, token_client
from jiqun.programmes.models import Programme
from jiqun.recognition.attachments import DOCX_MAIN
from jiqun.recognition.models import ASPECT_CODES, Attachment
from jiqun.recognition.services import (
    application_create,
    assignment_create,
    attachment_add,
    attachment_delete,
    call_close,
    call_create,
    call_open,
    expert_create,
)
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db

TEXTS = {code: f"测试{code}" for code in ASPECT_CODES}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


def ooxml(main: str, part: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal OOXML package whose [Content_Types].xml declares `part` as `main`."""
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             f'content-types"><Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/{part}" ContentType="{main}"/></Types>').encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr(part, b"<document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx() -> bytes:
    return ooxml(DOCX_MAIN, "word/document.xml")


def xlsx() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet().write("A1", "测试")
    book.close()
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def org(db) -> User:
    return User.objects.get(username="jiqun_org")


@pytest.fixture
def application(org):
    """jiqun_org applies for its cluster to a round open for another 30 days."""
    sheng = User.objects.get(username="sheng")
    cluster = Cluster.objects.for_user(org).get(name="新一代信息技术产业集群")
    call = call_create(actor=sheng, programme=Programme.objects.get(code=cluster.programme.code), title="附件测试批次",
                       tier_sought=Tier.CITY, quota=1, deadline=timezone.localdate() + datetime.timedelta(days=30),
                       data_year=2025, quantitative_weight=Decimal("0"), aspect_weights=dict.fromkeys(ASPECT_CODES, 1))
    call_open(actor=sheng, call=call)
    return application_create(actor=org, call=call, cluster=cluster, texts=TEXTS)


def files_in(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def nothing_changed(media: Path) -> None:
    assert Attachment.objects.count() == 0
    assert files_in(media) == []
    assert not AuditEvent.objects.exclude(action="denied").filter(object_type="recognition.attachment").exists()


# --- what is kept ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "kind"), [
    ("方案.pdf", PDF, "pdf"), ("照片.PNG", PNG, "png"), ("照片.jpg", JPEG, "jpeg"), ("申报书.docx", docx(), "docx"),
    ("数据.xlsx", xlsx(), "xlsx")])
def test_the_applicant_attaches_each_allowed_type(org, application, media, name, content, kind):
    attachment = attachment_add(actor=org, application=application, upload=upload(name, content))
    assert attachment.kind == kind and attachment.name == name and attachment.size == len(content)
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == content
    assert stored.is_relative_to(media / "recognition" / "attachments" / str(application.pk))
    assert name not in stored.name  # the stored name is made here
    assert AuditEvent.objects.filter(object_type="recognition.attachment", action="create").count() == 1


def test_a_path_traversal_name_is_kept_only_as_a_clean_display_name(org, application, media):
    for raw in ("../../../etc/cron.d/x.pdf", "..\\..\\windows\\win.pdf", "/abs/\u202eevil.pdf"):
        attachment = attachment_add(actor=org, application=application, upload=upload(raw, PDF))
        assert "/" not in attachment.name and "\\" not in attachment.name and ".." not in attachment.name
        assert "\u202e" not in attachment.name
        assert Path(attachment.file.path).resolve().is_relative_to(media.resolve())
    assert sorted(a.name for a in Attachment.objects.all()) == ["evil.pdf", "win.pdf", "x.pdf"]


# --- refusals: nothing changes, the message names the file and the application -----------------------

@pytest.mark.parametrize(("name", "content", "says"), [
    ("伪装.pdf", b"<html><script>alert(1)</script></html>", "不是 PDF"),  # an HTML page named .pdf
    ("伪装.pdf", PNG, "不是 PDF"),
    ("伪装.png", PDF, "不是 PNG"),
    ("伪装.docx", xlsx(), "实为 Excel"),  # a workbook renamed .docx
    ("伪装.xlsx", docx(), "实为 Word"),
    ("伪装.docx", b"PK\x03\x04not really a zip", "不是有效的 Word"),
    ("伪装.docx", ooxml("application/xml", "word/document.xml"), "不是 Word"),
    ("宏.docx", ooxml(DOCX_MAIN, "word/document.xml", {"word/vbaProject.bin": b"x"}), "宏"),
    ("脚本.html", b"<html></html>", "类型不受支持"),
    ("程序.exe", b"MZ\x90\x00", "类型不受支持"),
    ("无扩展名", PDF, "类型不受支持"),
    ("空.pdf", b"", "空文件"),
    ("截断.pdf", b"%PDF-1.4\n" + b"x" * 5000, "不是完整的 PDF"),
])
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(org, application, media, name, content, says):
    with pytest.raises(ValidationError) as refused:
        attachment_add(actor=org, application=application, upload=upload(name, content))
    message = " ".join(refused.value.messages)
    assert says in message and name.split("/")[-1] in message and "新一代信息技术产业集群" in message
    nothing_changed(media)


def test_a_zip_bomb_named_docx_is_refused(org, application, media):
    bomb = ooxml(DOCX_MAIN, "word/document.xml", {"word/media/fill.xml": b"\0" * (16 * 1024**2)})
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError, match="疑似压缩炸弹"):
        attachment_add(actor=org, application=application, upload=upload("炸弹.docx", bomb))
    nothing_changed(media)


def test_a_part_that_inflates_past_its_declared_size_is_refused(org, application, media):
    honest = ooxml(DOCX_MAIN, "word/document.xml", {"word/big.xml": b"a" * 50_000})
    # Lower the size its central directory entry declares (at 24 from the entry's start, the name at 46).
    directory = honest.find(b"PK\x01\x02")
    entry = honest.find(b"word/big.xml", directory) - 46
    lying = honest[:entry + 24] + (100).to_bytes(4, "little") + honest[entry + 28:]
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        assert archive.getinfo("word/big.xml").file_size == 100
    with pytest.raises(ValidationError, match="已损坏"):
        attachment_add(actor=org, application=application, upload=upload("谎报.docx", lying))
    nothing_changed(media)


def test_a_file_over_the_size_limit_is_refused(org, application, media, settings):
    settings.JIQUN_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="超过上限 1 KB") as refused:
        attachment_add(actor=org, application=application, upload=upload("大.pdf", PDF + b"x" * 2048 + b"%%EOF"))
    assert "大.pdf" in refused.value.messages[0]
    nothing_changed(media)


def test_more_than_the_count_limit_is_refused(org, application, media, settings):
    settings.JIQUN_ATTACHMENT_MAX_COUNT = 2
    for i in range(2):
        attachment_add(actor=org, application=application, upload=upload(f"{i}.pdf", PDF))
    with pytest.raises(ValidationError, match="已有 2 个附件，达到上限"):
        attachment_add(actor=org, application=application, upload=upload("3.pdf", PDF))
    assert Attachment.objects.count() == 2 and len(files_in(media)) == 2


def test_after_the_deadline_nothing_is_added_or_deleted(org, application, media):
    kept = attachment_add(actor=org, application=application, upload=upload("a.pdf", PDF))
    late = application.call.deadline + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="截止，附件不能再修改"):
        attachment_add(actor=org, application=application, upload=upload("b.pdf", PDF), today=late)
    with pytest.raises(ValidationError, match="截止，附件不能再修改"):
        attachment_delete(actor=org, attachment=kept, today=late)
    assert list(Attachment.objects.all()) == [kept] and len(files_in(media)) == 1


def test_another_persona_may_not_attach_to_the_application(application, media):
    for username in ("jining", "sheng", "lingdao"):
        with pytest.raises(PermissionDenied, match="只有该集群的促进机构"):
            attachment_add(actor=User.objects.get(username=username), application=application,
                           upload=upload("x.pdf", PDF))
    nothing_changed(media)


def test_the_applicant_deletes_an_attachment_with_an_audit_entry(org, application, media):
    attachment = attachment_add(actor=org, application=application, upload=upload("a.pdf", PDF))
    attachment_delete(actor=org, attachment=attachment)
    assert Attachment.objects.count() == 0
    event = AuditEvent.objects.get(object_type="recognition.attachment", action="delete")
    assert event.before["name"] == "a.pdf"


# --- pages and API ----------------------------------------------------------------------------------------

def test_the_page_uploads_lists_and_refuses_in_the_users_language(org, application, media):
    client = client_for(org)
    response = client.post(f"/recognition/applications/{application.pk}/attachments/",
                           {"file": upload("方案.pdf", PDF)})
    assert response.status_code == 302
    page = client.get(f"/recognition/applications/{application.pk}/").content.decode()
    assert "方案.pdf" in page and "上传附件" in page
    refused = client.post(f"/recognition/applications/{application.pk}/attachments/",
                          {"file": upload("伪装.pdf", b"<html></html>")}, follow=True).content.decode()
    assert "伪装.pdf" in refused and "不是 PDF" in refused
    english = client_for(org)
    english.cookies["django_language"] = "en"
    english.post(f"/recognition/applications/{application.pk}/attachments/",
                 {"file": upload("fake.pdf", b"<html></html>")}, follow=True)
    assert Attachment.objects.count() == 1


def test_the_page_refuses_another_city_and_hides_from_another_scope(application, media):
    assert client_for(User.objects.get(username="jining")).post(
        f"/recognition/applications/{application.pk}/attachments/",
        {"file": upload("x.pdf", PDF)}).status_code in (403, 404)
    assert client_for(User.objects.get(username="jinan")).post(
        f"/recognition/applications/{application.pk}/attachments/",
        {"file": upload("x.pdf", PDF)}).status_code == 404
    nothing_changed(media)


def test_a_download_is_an_audited_attachment_with_nosniff(org, application, media):
    attachment = attachment_add(actor=org, application=application, upload=upload("方案.pdf", PDF))
    response = client_for(User.objects.get(username="sheng")).get(f"/recognition/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(object_type="recognition.attachment", action="export",
                                     actor_name="sheng").count() == 1


def test_only_the_assigned_expert_downloads(org, application, media):
    attachment = attachment_add(actor=org, application=application, upload=upload("方案.pdf", PDF))
    sheng = User.objects.get(username="sheng")
    call_close(actor=sheng, call=application.call)
    experts = []
    for i in range(2):
        user = user_create(actor=None, username=f"att_expert{i}", password="Jiqun@2026test", role=Role.EXPERT,
                           region=Region.objects.get(code="370000"), full_name=f"附件专家{i}")
        experts.append(expert_create(actor=sheng, name=f"附件专家{i}", field="测试", organisation=f"单位{i}",
                                     city=Region.objects.get(code="370100"), user=user))
    assignment = assignment_create(actor=sheng, application=application, expert=experts[0])
    assigned, other = client_for(experts[0].user), client_for(experts[1].user)
    assert assigned.get(f"/recognition/attachments/{attachment.pk}/").status_code == 200
    assert "方案.pdf" in assigned.get(f"/recognition/assignments/{assignment.pk}/").content.decode()
    assert other.get(f"/recognition/attachments/{attachment.pk}/").status_code == 404
    api = token_client(experts[1].user)
    assert api.get(f"/api/v1/recognition/applications/{application.pk}/attachments").status_code == 404
    assert api.get(f"/api/v1/recognition/applications/{application.pk}/attachments/{attachment.pk}").status_code == 404
    # In review the applicant may no longer delete.
    with pytest.raises(ValidationError, match="评审中"):
        attachment_delete(actor=org, attachment=attachment)


def test_the_api_lists_uploads_downloads_and_deletes(org, application, media):
    api = token_client(org)
    base = f"/api/v1/recognition/applications/{application.pk}/attachments"
    created = api.post(base, {"file": upload("方案.pdf", PDF)})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "方案.pdf" and body["kind"] == "pdf"
    assert [a["id"] for a in api.get(base).json()] == [body["id"]]
    download = api.get(f"{base}/{body['id']}")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    refused = api.post(base, {"file": upload("伪装.pdf", b"<html></html>")})
    assert refused.status_code == 400 and "伪装.pdf" in json.dumps(refused.json(), ensure_ascii=False)
    assert api.delete(f"{base}/{body['id']}").status_code == 204
    assert Attachment.objects.count() == 0
    other = token_client(User.objects.get(username="jining"))
    assert other.post(base, {"file": upload("x.pdf", PDF)}).status_code in (403, 404)
    assert Attachment.objects.count() == 0


def test_the_rounds_command_still_lists(application, capsys):
    call_command("rounds", "list", "--json")
    assert "附件测试批次" in capsys.readouterr().out
