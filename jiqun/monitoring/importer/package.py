"""An uploaded workbook checked with the standard library before any spreadsheet parser sees it.

python-calamine allocates a sheet as the rectangle from its first cell to its last: one cell at XFD1048576
asks for 512 GB and aborts the whole server process, which no exception handler catches. A padded or
deflate-bombed part costs gigabytes and seconds the same way. So, before calamine reads anything:

- the package: its size, its number of parts, no duplicated part names, only stored or deflated parts
  without encryption, each part's declared size, compression ratio and actual size (every part is inflated
  here, its length and CRC compared with what the zip declares), and the sum of them all;
- what it is: [Content_Types].xml must call the workbook an .xlsx workbook; macros (vbaProject.bin, Excel
  4.0 macro sheets, ActiveX controls, .xlsm) are refused;
- every XML part calamine reads: no DTD (entity expansion), UTF-8 only, the shared strings' declared counts;
- each sheet calamine reads: every cell names its own position (r="B7"), and every position, the
  <dimension> and every merged range lie inside the rectangle the template can fill; its XML is no bigger
  than that rectangle needs; the memory the read will take, estimated from that rectangle, fits the budget.

The searches are regular expressions over the inflated bytes (each part is bounded before it is inflated):
an ElementTree walk of a 100,000-row sheet takes several times longer and checks no more.
"""

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
MACRO_TYPES = ("macroenabled", "vbaproject", "macrosheet", "activex", "vbadata")  # lower-cased content types
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
SMALL_PART = 16 * 1024**2  # any part but a worksheet or the shared strings: styles, theme, workbook, rels
CONTROL_PART = 1024**2  # [Content_Types].xml, workbook.xml and its relationships
RATIO_FROM = 1024**2  # parts smaller than this may compress as well as they like
MAX_MERGES = 2000
BYTES_PER_CELL = 128  # calamine's cell plus the Python object and list slot to_python makes (92 B measured)
XML_PER_CELL = 256  # a template cell with a style and a formula is under 150 bytes of XML
XML_SLACK = 4 * 1024**2  # column widths, data validations, sheet views, protection
LOCAL_HEADER = struct.Struct("<4s22xHH")
DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
PREFIXED = re.compile(rb":(?:c|row|dimension|mergeCell)[\s>/]")
NAME_START = re.compile(rb"<[A-Za-z_][\w.-]*$")
ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?(\w+)[\s>/]")


class PackageRefused(Exception):
    """A workbook refused before parsing; the message is the reason, in the user's language, naming the file and part."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int  # the upload itself
    max_unpacked: int  # every part together, inflated
    max_entries: int  # parts in the package
    max_ratio: int  # inflated ÷ compressed, for a part over 1 MiB
    max_cells: int  # rows × columns of the rectangle a sheet may fill
    memory_budget: int  # bytes the read of one workbook may take

    @classmethod
    def from_settings(cls) -> "Limits":
        """The limits set in settings.py (JIQUN_UPLOAD_MAX_BYTES, JIQUN_IMPORT_*)."""
        return cls(max_bytes=settings.JIQUN_UPLOAD_MAX_BYTES, max_unpacked=settings.JIQUN_IMPORT_MAX_UNPACKED_BYTES,
                   max_entries=settings.JIQUN_IMPORT_MAX_ENTRIES, max_ratio=settings.JIQUN_IMPORT_MAX_RATIO,
                   max_cells=settings.JIQUN_IMPORT_MAX_CELLS, memory_budget=settings.JIQUN_IMPORT_MEMORY_BUDGET)


@dataclass
class Package:
    content: bytes
    file_name: str
    limits: Limits
    parts: dict[str, zipfile.ZipInfo]
    sheets: dict[str, str]  # sheet name → part name, as workbook.xml and its relationships say
    strings_bytes: int  # the inflated shared strings, which calamine keeps in memory

    def refuse(self, message: str, **values) -> PackageRefused:
        """The refusal of this file, its name filled in."""
        return PackageRefused(message % {"file": self.file_name, **values})


def mib(size: int) -> str:
    """A size as a person reads it: 12.3 MB, or 40 KB under a megabyte."""
    return f"{size / 1024**2:.1f} MB" if size >= 1024**2 else f"{max(size // 1024, 1)} KB"


def open_package(content: bytes, file_name: str, limits: Limits) -> Package:
    """Check the package as a whole and every part but the worksheets; raises PackageRefused."""
    package = Package(content, file_name, limits, {}, {}, 0)
    if len(content) > limits.max_bytes:
        raise package.refuse(_("文件“%(file)s”有 %(size)s，超过上限 %(limit)s，请删去多余内容后再上传"),
                             size=mib(len(content)), limit=mib(limits.max_bytes))
    if file_name.lower().endswith(MACRO_SUFFIXES):
        raise package.refuse(_("文件“%(file)s”是启用宏的工作簿，不能导入：请另存为“Excel 工作簿（.xlsx）”后再上传"))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise package.refuse(_("文件“%(file)s”不是 .xlsx 格式的 Excel 工作簿，请下载模板填写后上传")) from None
    if len(infos) > limits.max_entries:
        raise package.refuse(_("文件“%(file)s”含有 %(n)d 个部件，超过上限 %(limit)d 个，不是本系统的统计季报模板"),
                             n=len(infos), limit=limits.max_entries)
    total, lowered = 0, set()
    for info in infos:
        name = info.filename
        if name.lower() in lowered or "\\" in name:  # readers differ on which copy of a name they take
            raise package.refuse(_("文件“%(file)s”中的部件“%(part)s”重复或命名不合规范，文件可能被篡改，不能导入"),
                                 part=name[:100])
        package.parts[name] = info
        lowered.add(name.lower())
        if "vba" in name.lower() or (name.lower().endswith(".bin") and "activex" in name.lower()):
            raise package.refuse(_("文件“%(file)s”含有宏（%(part)s），不能导入：请另存为不含宏的“Excel 工作簿（.xlsx）”后再上传"),
                                 part=name[:100])
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise package.refuse(_("文件“%(file)s”中的“%(part)s”加密或使用了不支持的压缩方式，"
                                   "请在 Excel 或 WPS 中另存为 .xlsx 后再上传"), part=name[:100])
        if info.file_size > RATIO_FROM and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise package.refuse(_("文件“%(file)s”中的“%(part)s”压缩比达 %(ratio)d 倍（上限 %(limit)d 倍），"
                                   "疑似压缩炸弹，不能导入"),
                                 part=name[:100], ratio=info.file_size // max(info.compress_size, 1),
                                 limit=limits.max_ratio)
        total += info.file_size
    if total > limits.max_unpacked:
        raise package.refuse(_("文件“%(file)s”解压后有 %(size)s，超过上限 %(limit)s，请删去多余内容后再上传"),
                             size=mib(total), limit=mib(limits.max_unpacked))
    _check_types(package)
    worksheets = set(package.sheets.values())
    for name in package.parts:
        if name in worksheets:
            continue  # read, each against its own rectangle, by sheet_xml
        if name.endswith((".xml", ".rels")):
            limit = limits.max_unpacked if name == "xl/sharedStrings.xml" else SMALL_PART
            xml = inflate(package, name, limit)
            check_xml(package, name, xml)
            if name == "xl/sharedStrings.xml":
                _check_strings(package, xml)
                package.strings_bytes = len(xml)
        else:
            inflate(package, name, SMALL_PART)  # pictures and the like: only their honesty matters
    return package


def inflate(package: Package, name: str, limit: int) -> bytes:
    """A part's bytes, refused unless they are exactly the declared size (at most `limit`) with the declared CRC.

    The deflate stream is inflated here, not through zipfile, so that a stream that would go on past the
    size its header declares is seen (zipfile stops reading at the declared size; other readers may not).
    """
    info = package.parts[name]
    if info.file_size > limit:
        raise package.refuse(_("文件“%(file)s”中的“%(part)s”解压后有 %(size)s，超过上限 %(limit)s"),
                             part=name[:100], size=mib(info.file_size), limit=mib(limit))
    start = info.header_offset
    header = package.content[start:start + LOCAL_HEADER.size]
    broken = package.refuse(_("文件“%(file)s”中的“%(part)s”已损坏（实际内容与声明的大小或校验码不符），不能导入"),
                            part=name[:100])
    if len(header) < LOCAL_HEADER.size:
        raise broken
    magic, name_length, extra_length = LOCAL_HEADER.unpack(header)
    begin = start + LOCAL_HEADER.size + name_length + extra_length
    data = memoryview(package.content)[begin:begin + info.compress_size]
    if magic != b"PK\x03\x04" or len(data) != info.compress_size:
        raise broken
    if info.compress_type == zipfile.ZIP_STORED:
        out = bytes(data)
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            out = inflater.decompress(data, info.file_size + 1)  # one byte more than declared shows a liar
        except zlib.error:
            raise broken from None
        if not inflater.eof:
            raise broken
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise broken
    return out


def _xml(package: Package, name: str, limit: int) -> bytes:
    """A small XML part inflated and checked: no DTD, UTF-8."""
    xml = inflate(package, name, limit)
    check_xml(package, name, xml)
    return xml


def check_xml(package: Package, name: str, xml: bytes) -> None:
    """Refuse XML with a DTD (entity expansion) or in another encoding than UTF-8 (the searches read bytes)."""
    head = xml[:256]
    declared = ENCODING.search(head.split(b"?>")[0]) if head.lstrip().startswith((b"<?xml", b"\xef\xbb\xbf<?xml")) else None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in head or (
            declared and declared.group(1).lower().replace(b"-", b"") != b"utf8"):
        raise package.refuse(_("文件“%(file)s”中的“%(part)s”不是 UTF-8 编码，请在 Excel 或 WPS 中另存为 .xlsx 后再上传"),
                             part=name[:100])
    root = ROOT.search(xml)  # a DTD can only stand before the root element
    if DOCTYPE.search(xml, 0, root.start() if root else len(xml)):
        raise package.refuse(_("文件“%(file)s”中的“%(part)s”含有 DTD 或实体声明，不能导入"), part=name[:100])


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse(package: Package, name: str) -> ElementTree.Element:
    """A small control part parsed (expat, after the DTD check, so no entity can expand)."""
    if name not in package.parts:
        raise package.refuse(_("文件“%(file)s”不是 .xlsx 格式的 Excel 工作簿（缺少 %(part)s），请下载模板填写后上传"),
                             part=name)
    try:
        return ElementTree.fromstring(_xml(package, name, CONTROL_PART))
    except ElementTree.ParseError:
        raise package.refuse(_("文件“%(file)s”中的“%(part)s”不是有效的 XML，不能导入"), part=name) from None


def _check_types(package: Package) -> None:
    """What the package says it is: an .xlsx workbook, without macros; and where each sheet is."""
    types = _parse(package, "[Content_Types].xml")
    declared, defaults = {}, {}
    for element in types:
        kind = element.get("ContentType", "")
        if any(word in kind.lower() for word in MACRO_TYPES):
            raise package.refuse(_("文件“%(file)s”含有宏（%(part)s），不能导入：请另存为不含宏的“Excel 工作簿（.xlsx）”后再上传"),
                                 part=kind[:100])
        if _local(element.tag) == "Override":
            declared[element.get("PartName", "").lstrip("/")] = kind
        elif _local(element.tag) == "Default":
            defaults[element.get("Extension", "").lower()] = kind
    for name in package.parts:  # a part without an Override has its extension's Default type
        declared.setdefault(name, defaults.get(name.rsplit(".", 1)[-1].lower(), ""))
    workbook = declared.get("xl/workbook.xml")
    if workbook != XLSX_MAIN:
        raise package.refuse(_("文件“%(file)s”不是 .xlsx 工作簿（内容类型为“%(type)s”），请下载模板填写后另存为 .xlsx 上传"),
                             type=(workbook or _("未声明"))[:100])
    # Any part of a macro type is refused above; parts only named like one (xl/vbaProject.bin) in open_package.
    relations = {}
    for element in _parse(package, "xl/_rels/workbook.xml.rels"):
        target = element.get("Target", "")
        relations[element.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    for element in _parse(package, "xl/workbook.xml").iter():
        if _local(element.tag) != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
        part = relations.get(rid)
        if part is None or part not in package.parts:
            raise package.refuse(_("文件“%(file)s”中的工作表“%(sheet)s”找不到内容，文件已损坏"),
                                 sheet=element.get("name", "")[:50])
        if declared.get(part) == WORKSHEET:  # a chart sheet is never read; the importer needs its two worksheets
            package.sheets[element.get("name", "")] = part


def _check_strings(package: Package, xml: bytes) -> None:
    """The counts the shared strings declare, which a reader may reserve memory for: no more than the cells allowed."""
    root = re.search(rb"<(?:[\w.-]+:)?sst\b[^>]*>", xml[:4096])
    for match in re.finditer(rb'(?:count|uniqueCount)\s*=\s*["\']\s*(\d+)', root.group(0) if root else b""):
        if int(match.group(1)) > package.limits.max_cells:
            raise package.refuse(_("文件“%(file)s”的共享字符串表声明有 %(n)s 项，超过上限 %(limit)d 项，不能导入"),
                                 n=match.group(1).decode()[:20], limit=package.limits.max_cells)


# Sheets ----------------------------------------------------------------------------------------------


def _up_to(limit: int) -> str:
    """A pattern for the decimal numbers 1 to `limit`, without leading zeros."""
    text = str(limit)
    parts = [rf"[1-9]\d{{0,{len(text) - 2}}}"] if len(text) > 1 else []
    for index, digit in enumerate(text):
        low = 1 if index == 0 else 0
        if int(digit) > low:
            parts.append(rf"{text[:index]}[{low}-{int(digit) - 1}]\d{{{len(text) - index - 1}}}")
    return "(?:" + "|".join([*parts, text]) + ")"


def _letters_up_to(columns: int) -> str:
    """A pattern for the column letters of the first `columns` columns: A to the last one."""
    last = xl_col_to_name(columns - 1)
    parts = [f"[A-Z]{{1,{len(last) - 1}}}"] if len(last) > 1 else []
    for index, letter in enumerate(last):
        if letter != "A":
            parts.append(f"{last[:index]}[A-{chr(ord(letter) - 1)}][A-Z]{{{len(last) - index - 1}}}")
    return "(?:" + "|".join([*parts, last]) + ")"


def _outside(prefix: bytes, rows: int, columns: int) -> tuple[re.Pattern, re.Pattern]:
    """The patterns of a cell tag, and of a row tag, that does not name its position within rows × columns.

    Cells and rows must carry r="…" as their first attribute, as Excel, WPS, LibreOffice and xlsxwriter
    write them: a reader places a cell without one after the previous cell, which no search of the
    references would bound. Each pattern begins with its tag's name, so the search skips ahead to it.
    """
    row = _up_to(rows).encode()
    cell = re.compile(b"<" + prefix + b'c(?! r="' + _letters_up_to(columns).encode() + row + rb'")[\s>/]')
    return cell, re.compile(b"<" + prefix + b'row(?! r="' + row + rb'")[\s>/]')


def _foreign_prefix(xml: bytes, prefix: bytes) -> bool:
    """Whether a cell, row, dimension or merge is written with another namespace prefix than the sheet's root.

    A reader that matches local names would read such a cell, and the searches here, written for the
    root's prefix, would not see it.
    """
    if prefix and re.search(rb"<(?:c|row|dimension|mergeCell)[\s>/]", xml):
        return True
    for match in PREFIXED.finditer(xml):
        start = xml.rfind(b"<", max(0, match.start() - 64), match.start())
        if start >= 0 and NAME_START.match(xml[start:match.start()]) and xml[start + 1:match.start() + 1] != prefix:
            return True
    return False


REF = re.compile(r"\$?([A-Z]{1,3})\$?([1-9]\d{0,6})")


def _position(ref: str) -> tuple[int, int] | None:
    """1-based (row, column) of a reference like B7, or None if it is not one."""
    match = REF.fullmatch(ref)
    if match is None:
        return None
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


def sheet_xml(package: Package, sheet: str, rows: int, columns: int) -> bytes:
    """A worksheet's XML, refused unless every cell, the dimension and every merge lie within rows × columns."""
    limits = package.limits
    part = package.sheets[sheet]
    shape = _("最多 %(rows)d 行、%(columns)d 列，即 A1:%(last)s") % {
        "rows": rows, "columns": columns, "last": f"{xl_col_to_name(columns - 1)}{rows}"}
    if rows * columns > limits.max_cells:
        raise package.refuse(_("工作表“%(sheet)s”可填的范围（%(shape)s）超过 %(limit)d 个单元格的上限，请分批导入"),
                             sheet=sheet, shape=shape, limit=limits.max_cells)
    allowed = rows * columns * XML_PER_CELL + XML_SLACK
    info = package.parts[part]
    memory = rows * columns * BYTES_PER_CELL + info.file_size + 3 * package.strings_bytes
    if memory > limits.memory_budget:
        raise package.refuse(_("读取文件“%(file)s”的工作表“%(sheet)s”预计需要 %(size)s 内存，超过上限 %(limit)s，"
                               "请分批导入"), sheet=sheet, size=mib(memory), limit=mib(limits.memory_budget))
    if info.file_size > allowed:
        raise package.refuse(_("文件“%(file)s”的工作表“%(sheet)s”解压后有 %(size)s，远超模板范围（%(shape)s）所需，"
                               "文件可能被填充了大量空白，不能导入"), sheet=sheet, size=mib(info.file_size), shape=shape)
    xml = inflate(package, part, allowed)
    check_xml(package, part, xml)
    root = ROOT.search(xml, 0, 4096)
    prefix = (root.group(1) or b"") if root else b""
    if _foreign_prefix(xml, prefix):
        raise package.refuse(_("工作表“%(sheet)s”的单元格使用了非常规的 XML 命名空间前缀，不能导入：请在 Excel 或 WPS 中"
                               "另存为 .xlsx 后再上传"), sheet=sheet)
    cells, row_tags = _outside(re.escape(prefix), rows, columns)
    found = cells.search(xml) or row_tags.search(xml)
    if found is not None:
        near = xml[found.start():found.start() + 100].decode("utf-8", "replace")
        cell = re.match(r'<(?:[\w.-]+:)?c r="([^"<>]{1,20})"', near)
        row = re.match(r'<(?:[\w.-]+:)?row r="([^"<>]{1,20})"', near)
        if cell or row:
            raise package.refuse(_("工作表“%(sheet)s”在 %(cell)s 有内容，超出模板的范围（%(shape)s）：请删除多余的行和列，"
                                   "或重新下载模板填写"), sheet=sheet, shape=shape,
                                 cell=cell.group(1) if cell else _("第 %(row)s 行") % {"row": row.group(1)})
        raise package.refuse(_("工作表“%(sheet)s”中有单元格或行没有写明位置（r 属性），不能导入：请在 Excel 或 WPS 中另存为 "
                               ".xlsx 后再上传"), sheet=sheet)
    for name in ("dimension", "mergeCell"):
        pattern = b"<" + re.escape(prefix) + name.encode() + rb"\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']"
        refs = re.findall(pattern, xml)
        if name == "mergeCell" and len(refs) > MAX_MERGES:
            raise package.refuse(_("工作表“%(sheet)s”有 %(n)d 处合并单元格，超过上限 %(limit)d 处，不能导入"),
                                 sheet=sheet, n=len(refs), limit=MAX_MERGES)
        for raw in refs:
            text = raw.decode("utf-8", "replace")
            for end in text.split(":"):
                position = _position(end)
                if position is None or position[0] > rows or position[1] > columns:
                    raise package.refuse(_("工作表“%(sheet)s”的%(what)s“%(ref)s”超出模板的范围（%(shape)s）：请删除多余的行和列，"
                                           "或重新下载模板填写"),
                                         sheet=sheet, what=_("数据区域") if name == "dimension" else _("合并单元格"),
                                         ref=text[:40], shape=shape)
    return xml
