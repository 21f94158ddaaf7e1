"""What an application's attachment must be before it is kept: the file's own bytes decide its type.

Neither the name nor the declared content type is trusted. The extension names the type the user claims
(PDF, Word .docx, Excel .xlsx, JPEG, PNG); the content must begin with that type's magic bytes, and a .docx
or .xlsx must be an honest OOXML package (checked as the statistical importer checks a workbook, with
jiqun.monitoring.importer.package: every part inflated within its declared size and CRC, bounded ratio and
total, no DTD, no macros) whose [Content_Types].xml declares a Word document, or an Excel workbook. An HTML
page named .pdf, a .docx that is a zip bomb, a workbook renamed .docx are all refused with the file named.
"""

import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _

from jiqun.core.text import FORBIDDEN
from jiqun.monitoring.importer.package import (
    CONTROL_PART,
    Limits,
    Package,
    PackageRefused,
    check_xml,
    inflate,
    mib,
)

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_WORDS = ("macroenabled", "vbaproject", "vbadata", "activex")


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    extensions: tuple[str, ...]
    content_type: str


KINDS = {
    "pdf": Kind("pdf", "PDF", ("pdf",), "application/pdf"),
    "docx": Kind("docx", "Word", ("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": Kind("xlsx", "Excel", ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jpeg": Kind("jpeg", "JPEG", ("jpg", "jpeg"), "image/jpeg"),
    "png": Kind("png", "PNG", ("png",), "image/png"),
}
BY_EXTENSION = {ext: kind for kind in KINDS.values() for ext in kind.extensions}
ALLOWED = "、".join(f".{ext}" for ext in BY_EXTENSION)
MAGIC = {"pdf": b"%PDF-", "jpeg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n", "docx": b"PK\x03\x04",
         "xlsx": b"PK\x03\x04"}
# An OOXML package of an attachment: generous for a long report with pictures, small for a bomb.
PACKAGE_LIMITS = Limits(max_bytes=0, max_unpacked=256 * 1024**2, max_entries=2000, max_ratio=100,
                        max_cells=0, memory_budget=0)
PART_LIMIT = 64 * 1024**2


class AttachmentRefused(Exception):
    """The file is refused; the message names it and says why, in the user's language."""


@dataclass(frozen=True)
class Checked:
    content: bytes
    name: str  # the original name, cleaned, for display and for the download
    kind: Kind
    sha256: str


def clean_name(raw: str) -> str:
    """The name to show: the last path component, without control or invisible characters, at most 120 long."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = FORBIDDEN.sub("", name).strip().lstrip(".")
    name = re.sub(r'[<>:"|?*]', "_", name)
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:110] + dot + ext) if dot and len(ext) <= 8 else name[:120]
    return name or _("附件")


def stored_name(kind: Kind) -> str:
    """A name made here, never from the user's: a random hex and the type's extension."""
    return f"{uuid.uuid4().hex}.{kind.extensions[0]}"


def max_bytes() -> int:
    return settings.JIQUN_ATTACHMENT_MAX_BYTES


def check_upload(upload) -> Checked:
    """Read and check an uploaded file (a Django UploadedFile); raise AttachmentRefused naming it."""
    name = clean_name(getattr(upload, "name", ""))
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise AttachmentRefused(_("附件“%(file)s”有 %(size)s，超过上限 %(limit)s") % {
            "file": name, "size": mib(upload.size), "limit": mib(limit)})
    content = upload.read(limit + 1)
    return check_content(content, name)


def check_content(content: bytes, name: str) -> Checked:
    """Check a file's bytes against the type its extension claims; raise AttachmentRefused naming it."""
    name = clean_name(name)
    limit = max_bytes()
    if len(content) > limit:
        raise AttachmentRefused(_("附件“%(file)s”超过上限 %(limit)s") % {"file": name, "limit": mib(limit)})
    if not content:
        raise AttachmentRefused(_("附件“%(file)s”是空文件") % {"file": name})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = BY_EXTENSION.get(extension)
    if kind is None:
        raise AttachmentRefused(_("附件“%(file)s”的类型不受支持，只能上传 %(allowed)s 文件") % {
            "file": name, "allowed": ALLOWED})
    if not content.startswith(MAGIC[kind.code]):
        raise AttachmentRefused(_("附件“%(file)s”的内容不是 %(kind)s 文件（扩展名与文件内容不符），不能上传") % {
            "file": name, "kind": kind.label})
    if kind.code in ("docx", "xlsx"):
        _check_package(content, name, kind)
    if kind.code == "pdf" and b"%%EOF" not in content[-2048:]:
        raise AttachmentRefused(_("附件“%(file)s”不是完整的 PDF 文件（缺少文件结束标记），可能已损坏") % {"file": name})
    return Checked(content, name, kind, hashlib.sha256(content).hexdigest())


def _check_package(content: bytes, name: str, kind: Kind) -> None:
    """An honest OOXML package that declares itself the kind its extension claims, without macros."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise AttachmentRefused(_("附件“%(file)s”不是有效的 %(kind)s 文件，可能已损坏") % {
            "file": name, "kind": kind.label}) from None
    package = Package(content, name, PACKAGE_LIMITS, {}, {}, 0)
    limits = PACKAGE_LIMITS
    if len(infos) > limits.max_entries:
        raise AttachmentRefused(_("附件“%(file)s”含有 %(n)d 个部件，超过上限 %(limit)d 个") % {
            "file": name, "n": len(infos), "limit": limits.max_entries})
    total, seen = 0, set()
    for info in infos:
        part = info.filename
        if part.lower() in seen or "\\" in part:
            raise AttachmentRefused(_("附件“%(file)s”中的部件“%(part)s”重复或命名不合规范，文件可能被篡改") % {
                "file": name, "part": part[:100]})
        seen.add(part.lower())
        package.parts[part] = info
        if "vba" in part.lower() or "activex" in part.lower():
            raise AttachmentRefused(_("附件“%(file)s”含有宏（%(part)s），请另存为不含宏的文件后再上传") % {
                "file": name, "part": part[:100]})
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise AttachmentRefused(_("附件“%(file)s”中的“%(part)s”加密或使用了不支持的压缩方式") % {
                "file": name, "part": part[:100]})
        if info.file_size > 1024**2 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise AttachmentRefused(_("附件“%(file)s”中的“%(part)s”压缩比达 %(ratio)d 倍（上限 %(limit)d 倍），"
                                      "疑似压缩炸弹，不能上传") % {
                "file": name, "part": part[:100], "ratio": info.file_size // max(info.compress_size, 1),
                "limit": limits.max_ratio})
        total += info.file_size
    if total > limits.max_unpacked:
        raise AttachmentRefused(_("附件“%(file)s”解压后有 %(size)s，超过上限 %(limit)s，疑似压缩炸弹，不能上传") % {
            "file": name, "size": mib(total), "limit": mib(limits.max_unpacked)})
    try:
        for part in package.parts:  # every part exactly as long as declared, with its CRC
            inflate(package, part, CONTROL_PART if part == "[Content_Types].xml" else PART_LIMIT)
        if "[Content_Types].xml" not in package.parts:
            raise AttachmentRefused(_("附件“%(file)s”不是有效的 %(kind)s 文件（缺少 [Content_Types].xml）") % {
                "file": name, "kind": kind.label})
        xml = inflate(package, "[Content_Types].xml", CONTROL_PART)
        check_xml(package, "[Content_Types].xml", xml)
    except PackageRefused as exc:
        raise AttachmentRefused(str(exc)) from None
    try:
        types = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        raise AttachmentRefused(_("附件“%(file)s”的 [Content_Types].xml 不是有效的 XML") % {"file": name}) from None
    declared = [element.get("ContentType", "") for element in types]
    if any(word in t.lower() for t in declared for word in MACRO_WORDS):
        raise AttachmentRefused(_("附件“%(file)s”含有宏，请另存为不含宏的文件后再上传") % {"file": name})
    wanted = DOCX_MAIN if kind.code == "docx" else XLSX_MAIN
    if wanted not in declared:
        is_other = (XLSX_MAIN if kind.code == "docx" else DOCX_MAIN) in declared
        raise AttachmentRefused(_("附件“%(file)s”的内容不是 %(kind)s 文件%(other)s，不能上传") % {
            "file": name, "kind": kind.label,
            "other": (_("（实为 %(other)s 文件，请改正扩展名）") % {
                "other": "Excel" if kind.code == "docx" else "Word"}) if is_other else ""})
