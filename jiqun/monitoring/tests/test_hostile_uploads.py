"""Uploads built to hurt the server: each is refused with a Chinese reason, writes nothing, and costs little memory.

Every hostile file starts from the real template of the Jining officer and is changed at the zip level the way
an attacker would (a far cell, padding, a deflate bomb, a macro, a lying size...). None of them may reach
python-calamine: one cell at XFD1048576 makes it allocate 512 GB and abort the process. Memory is measured in
this process around the import: the peak of Python's own allocations (tracemalloc) and the growth of the
resident set's high-water mark (getrusage), which would also show what a native reader allocated.
"""

import io
import random
import re
import resource
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st
from xlsxwriter.utility import xl_col_to_name

from jiqun.accounts.models import User
from jiqun.conftest import client_for
from jiqun.monitoring.excel import DATA_SHEET
from jiqun.monitoring.importer.package import _letters_up_to, _up_to
from jiqun.monitoring.models import ReportRevision
from jiqun.monitoring.services import report_values_save
from jiqun.monitoring.tests.helpers import GOOD, open_test_period, values
from jiqun.monitoring.tests.test_import import assert_refused, cfb, db_state, filled, run, template_for

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"  # the data sheet of the template (季报 is its first sheet)
MIB = 1024**2
PYTHON_PEAK = 32 * MIB  # what the refusal of any file here may allocate in Python
RSS_GROWTH = 64 * MIB  # and how far the process's high-water mark may rise meanwhile


def rezip(content: bytes, replace: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None,
          level: int = 6) -> bytes:
    """The package again with some parts replaced (None removes one) and some added, deflated."""
    replace, add = replace or {}, add or {}
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED,
                                                                         compresslevel=level) as target:
        for info in source.infolist():
            data = replace.get(info.filename, source.read(info.filename))
            if data is not None:
                target.writestr(info.filename, data)
        for name, data in add.items():
            target.writestr(name, data)
    return output.getvalue()


def part(content: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(name)


def with_rows(content: bytes, rows: bytes) -> bytes:
    """The template with these <row> elements added at the end of the data sheet."""
    xml = part(content, SHEET)
    return rezip(content, {SHEET: xml.replace(b"</sheetData>", rows + b"</sheetData>")})


def deflated(data: bytes) -> tuple[bytes, int, int]:
    """A raw deflate stream of data, with the CRC and size a zip header declares for it."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def raw_zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written by hand from (name, raw deflate stream, declared CRC, declared size): headers say what we like."""
    out, central = bytearray(), bytearray()
    for name, data, crc, size in entries:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 33, crc, len(data), size, len(encoded), 0)
        out += encoded + data
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 33, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    start = len(out)
    out += central + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0)
    return bytes(out)


def parts_of(content: bytes) -> list[tuple[str, bytes, int, int]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [(info.filename, *deflated(archive.read(info.filename))) for info in archive.infolist()]


def whitespace_padded(content: bytes) -> bytes:
    """The issue's 2 MB file: the data sheet padded with 2 GB of spaces inside <sheetData>, its sizes honest.

    The stream is a fully flushed deflate of the head, the same 1 MiB of spaces 2,048 times (after a full
    flush the compressor starts afresh, so each is the same bytes) and the tail: never 2 GB in memory.
    """
    head, tail = part(content, SHEET).split(b"</sheetData>")
    tail = b"</sheetData>" + tail
    spaces = b" " * MIB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    data = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(spaces) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(2048):
        crc = zlib.crc32(spaces, crc)
    crc = zlib.crc32(tail, crc)
    data = data + block * 2048 + compressor.compress(tail) + compressor.flush()
    entries = [entry for entry in parts_of(content) if entry[0] != SHEET]
    return raw_zip([(SHEET, data, crc, len(head) + 2048 * MIB + len(tail)), *entries])


def honest_padding(content: bytes) -> bytes:
    """The data sheet padded with 12 MB of mixed whitespace: it compresses only ~4:1, far under any ratio limit."""
    noise = random.Random(9).randbytes(12 * MIB).translate(bytes(b" \t\n\r"[n % 4] for n in range(256)))
    xml = part(content, SHEET)
    return rezip(content, {SHEET: xml.replace(b"</sheetData>", noise + b"</sheetData>")})


def lying_size(content: bytes) -> bytes:
    """A part whose deflate stream goes on for 64 MB past the size (and CRC) its headers declare."""
    first = b"<?xml version='1.0' encoding='UTF-8'?><Properties/>"
    bomb, _crc, _size = deflated(first + b" " * (64 * MIB))
    return raw_zip([*parts_of(content), ("docProps/custom.xml", bomb, zlib.crc32(first), len(first))])


def ratio_bomb(content: bytes) -> bytes:
    """A 200 MB part of zeros that deflates to under 1 MB: a zip bomb by ratio, under the unpacked-size limit."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    zeros = bytes(MIB)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(200):
        crc = zlib.crc32(zeros, crc)
    return raw_zip([*parts_of(content), ("docProps/custom.xml", block * 200 + compressor.flush(), crc, 200 * MIB)])


def macro_enabled(content: bytes) -> bytes:
    """An .xlsm, as Excel saves one: vbaProject.bin, and the workbook's type macro-enabled."""
    types = part(content, "[Content_Types].xml").replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    return rezip(content, {"[Content_Types].xml": types}, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(2000)})


def macro_type_only(content: bytes) -> bytes:
    """The workbook declared macro-enabled, without a vbaProject part to give it away."""
    types = part(content, "[Content_Types].xml").replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml"
                                                         b".sheet.main+xml",
                                                         b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    return rezip(content, {"[Content_Types].xml": types})


def wrong_type(content: bytes) -> bytes:
    """The workbook declared an Excel template (.xltx), not a workbook."""
    types = part(content, "[Content_Types].xml").replace(b"spreadsheetml.sheet.main+xml",
                                                         b"spreadsheetml.template.main+xml")
    return rezip(content, {"[Content_Types].xml": types})


def huge_strings(content: bytes) -> bytes:
    """Shared strings that declare four thousand million entries, which a reader may reserve room for."""
    xml = part(content, "xl/sharedStrings.xml")
    xml = xml.replace(b'uniqueCount="', b'uniqueCount="4000000000" x="', 1)
    return rezip(content, {"xl/sharedStrings.xml": xml})


def entity_strings(content: bytes) -> bytes:
    """A billion-laughs DTD in front of the shared strings."""
    xml = part(content, "xl/sharedStrings.xml")
    dtd = b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    return rezip(content, {"xl/sharedStrings.xml": xml.replace(b"?>", b"?>" + dtd, 1)})


def many_entries(content: bytes) -> bytes:
    return rezip(content, add={f"customXml/item{n}.xml": b"<a/>" for n in range(500)})


def dimension(content: bytes) -> bytes:
    xml = part(content, SHEET)
    start = xml.index(b"<dimension ref=\"")
    end = xml.index(b"/>", start)
    return rezip(content, {SHEET: xml[:start] + b'<dimension ref="A1:XFD1048576"' + xml[end:]})


def cell_without_position(content: bytes) -> bytes:
    """A row of 20,000 cells that do not say where they are: a reader places each after the one before."""
    return with_rows(content, b'<row r="7">' + b"<c><v>1</v></c>" * 20000 + b"</row>")


def far_merge(content: bytes) -> bytes:
    xml = part(content, SHEET)
    return rezip(content, {SHEET: xml.replace(b"</mergeCells>", b'<mergeCell ref="A7:XFD1048576"/></mergeCells>')})


def duplicated_part(content: bytes) -> bytes:
    """The data sheet twice: one reader would take the first copy and another the last."""
    output = io.BytesIO(rezip(content))
    with pytest.warns(UserWarning), zipfile.ZipFile(output, "a") as archive:
        archive.writestr(SHEET, part(content, SHEET).replace(b"</sheetData>",
                                                             b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
                                                             b"</sheetData>"))
    return output.getvalue()


def prefixed_cell(content: bytes) -> bytes:
    """A far cell under another namespace prefix, which a reader matching local names still reads."""
    return with_rows(content, b'<row r="8"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                              b'r="XFD8"><x:v>1</x:v></x:c></row>')


HOSTILE = {
    # name: (file name, how the file is made from the template, words the refusal must hold)
    "far_cell_XFD1048576": ("季报.xlsx", lambda t: with_rows(t, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
                            ("XFD1048576", "超出模板的范围")),
    "far_cell_ALL20000": ("季报.xlsx", lambda t: with_rows(t, b'<row r="20000"><c r="ALL20000"><v>1</v></c></row>'),
                          ("ALL20000", "超出模板的范围")),
    "row_beyond_template": ("季报.xlsx", lambda t: with_rows(t, b'<row r="5000"><c r="A5000"><v>1</v></c></row>'),
                            ("A5000", "超出模板的范围")),
    "column_beyond_template": ("季报.xlsx", lambda t: with_rows(t, b'<row r="9"><c r="AZ9"><v>1</v></c></row>'),
                               ("AZ9", "超出模板的范围")),
    "dimension_A1_XFD1048576": ("季报.xlsx", dimension, ("A1:XFD1048576", "数据区域", "超出模板的范围")),
    "merge_to_XFD1048576": ("季报.xlsx", far_merge, ("A7:XFD1048576", "合并单元格")),
    "cells_without_position": ("季报.xlsx", cell_without_position, ("没有写明位置",)),
    "far_cell_other_prefix": ("季报.xlsx", prefixed_cell, ("命名空间",)),
    "whitespace_2GB_in_2MB": ("季报.xlsx", whitespace_padded, ("压缩比", "压缩炸弹")),
    "whitespace_honest_ratio": ("季报.xlsx", honest_padding, ("空白",)),
    "zip_bomb_by_ratio": ("季报.xlsx", ratio_bomb, ("docProps/custom.xml", "压缩炸弹")),
    "size_lies_past_header": ("季报.xlsx", lying_size, ("docProps/custom.xml", "已损坏")),
    "many_entries": ("季报.xlsx", many_entries, ("部件", "上限 200 个")),
    "huge_shared_strings_count": ("季报.xlsx", huge_strings, ("共享字符串", "4000000000")),
    "entity_expansion": ("季报.xlsx", entity_strings, ("DTD",)),
    "duplicated_part": ("季报.xlsx", duplicated_part, ("重复",)),
    "xlsm_vba_project": ("季报.xlsx", macro_enabled, ("含有宏", "vbaProject")),
    "macro_enabled_type": ("季报.xlsx", macro_type_only, ("含有宏", "macroEnabled")),
    "xlsm_by_name": ("季报.xlsm", lambda t: t, ("启用宏",)),
    "wrong_content_type": ("季报.xlsx", wrong_type, ("不是 .xlsx 工作簿", "template.main")),
    "not_a_zip": ("季报.xlsx", lambda t: random.Random(1).randbytes(20000), ("不是 .xlsx 格式",)),
    "truncated_zip": ("季报.xlsx", lambda t: t[:len(t) // 2], ("不是 .xlsx 格式",)),
    "xls_renamed": ("季报.xlsx", lambda t: cfb("Workbook"), ("旧版 .xls",)),
}


def measured(action):
    """Run action; its result, the peak of Python allocations and the growth of the process's maximum RSS."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    try:
        result = action()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    return result, peak, grown


@pytest.mark.parametrize("case", HOSTILE)
def test_it_refuses_a_hostile_workbook_before_parsing_with_a_chinese_reason(period, jining_officer, case):
    name, make, words = HOSTILE[case]
    content = make(template_for(jining_officer, period))
    before = db_state(period)
    result, peak, grown = measured(lambda: run(jining_officer, period, content, name=name))
    assert_refused(result, before, period, "", 0, "", *words)
    assert DATA_SHEET not in result.sheets  # calamine never parsed the data sheet
    assert peak < PYTHON_PEAK + len(content) and grown < RSS_GROWTH, (peak, grown)


def test_it_refuses_the_issues_far_cell_file_in_a_few_kilobytes(period, jining_officer):
    content = with_rows(template_for(jining_officer, period), b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    assert len(content) < 16 * 1024
    result = run(jining_officer, period, content)
    assert "季报" in str(result.problems[0]) and "XFD1048576" in str(result.problems[0])


def test_it_refuses_a_file_over_the_upload_limit_before_opening_it(period, jining_officer, settings):
    settings.JIQUN_UPLOAD_MAX_BYTES = 4096
    before = db_state(period)
    result = run(jining_officer, period, filled(jining_officer, period))
    assert_refused(result, before, period, "", 0, "", "超过上限 4 KB")


def test_it_refuses_a_read_that_would_exceed_the_memory_budget(period, jining_officer, settings):
    settings.JIQUN_IMPORT_MEMORY_BUDGET = 256 * 1024
    before = db_state(period)
    result = run(jining_officer, period, filled(jining_officer, period))
    assert_refused(result, before, period, "", 0, "", "预计需要", "内存", "超过上限 256 KB")


def test_it_refuses_shared_strings_larger_than_the_unpacked_limit(period, jining_officer, settings):
    settings.JIQUN_IMPORT_MAX_UNPACKED_BYTES = 2 * MIB
    content = template_for(jining_officer, period)
    xml = part(content, "xl/sharedStrings.xml").replace(
        b"</sst>", b"".join(b"<si><t>%d</t></si>" % n for n in range(300_000)) + b"</sst>")
    before = db_state(period)
    result = run(jining_officer, period, rezip(content, {"xl/sharedStrings.xml": xml}))
    assert_refused(result, before, period, "", 0, "", "解压后有", "超过上限 2.0 MB")


def test_a_filled_template_still_imports_within_its_bounds(period, jining_officer):
    result, peak, _grown = measured(lambda: run(jining_officer, period, filled(jining_officer, period)))
    assert result.ok, result.problems
    assert ReportRevision.objects.filter(report__period=period).count() == 1
    assert peak < PYTHON_PEAK


@pytest.mark.parametrize("limit", [1, 9, 10, 11, 99, 100, 101, 126, 225, 1000, 100125, 1048576])
def test_the_row_bound_pattern_takes_exactly_the_rows_up_to_the_limit(limit):
    pattern = re.compile(_up_to(limit))
    for number in {1, 2, 9, 10, 11, 99, 100, limit - 1, limit, limit + 1, limit * 10, 10 * limit + 9} - {0}:
        assert bool(pattern.fullmatch(str(number))) == (number <= limit), number
    assert not pattern.fullmatch("0") and not pattern.fullmatch("07")  # row 0, or a leading zero, is refused


@pytest.mark.parametrize("columns", [1, 2, 26, 27, 31, 52, 53, 702, 703, 16384])
def test_the_column_bound_pattern_takes_exactly_the_columns_up_to_the_limit(columns):
    pattern = re.compile(_letters_up_to(columns))
    for count in {1, 2, 25, 26, 27, 31, 52, 53, 701, 702, 703, columns - 1, columns, columns + 1} - {0}:
        if count <= 16384:
            assert bool(pattern.fullmatch(xl_col_to_name(count - 1))) == (count <= columns), count
    assert not pattern.fullmatch("a") and not pattern.fullmatch("")


@given(limit=st.integers(1, 2_000_000), number=st.integers(0, 20_000_000))
def test_the_row_bound_pattern_holds_for_every_limit_and_row(limit, number):
    assert bool(re.fullmatch(_up_to(limit), str(number))) == (1 <= number <= limit)


@given(columns=st.integers(1, 16384), column=st.integers(1, 16384))
def test_the_column_bound_pattern_holds_for_every_width_and_column(columns, column):
    assert bool(re.fullmatch(_letters_up_to(columns), xl_col_to_name(column - 1))) == (column <= columns)


def test_a_cell_with_its_reference_written_otherwise_is_refused_by_name(period, jining_officer):
    for ref in (b"A0", b"A07", b"a7", b"&#65;7", b"A7 "):
        content = with_rows(template_for(jining_officer, period), b'<row r="7"><c r="' + ref + b'"><v>1</v></c></row>')
        before = db_state(period)
        result = run(jining_officer, period, content)
        assert_refused(result, before, period, "", 0, "", ref.decode(), "超出模板的范围")


# Who reaches the importer ----------------------------------------------------------------------------------

NOT_FILLING = ["lingdao", "zhuanjia", "xitong", "anquan", "shenji", "qiye"]


@pytest.mark.parametrize("username", NOT_FILLING)
def test_it_refuses_the_upload_page_and_post_to_personas_that_fill_nothing(period, jining_officer, username):
    client = client_for(User.objects.get(username=username))
    upload = io.BytesIO(filled(jining_officer, period))
    upload.name = "季报.xlsx"
    before = db_state(period)
    assert client.get(f"/monitoring/periods/{period.pk}/upload/").status_code in (403, 404)
    assert client.post(f"/monitoring/periods/{period.pk}/upload/", {"file": upload}).status_code in (403, 404)
    assert db_state(period) == before


def test_the_keeper_of_a_report_reaches_the_upload_page(period, as_jining):
    assert as_jining.get(f"/monitoring/periods/{period.pk}/upload/").status_code == 200


@pytest.mark.parametrize("username", ["lingdao", "zhuanjia", "xitong"])
def test_it_refuses_an_import_by_a_persona_that_fills_nothing_on_the_command_line_too(period, jining_officer,
                                                                                       username):
    before = db_state(period)
    result = run(User.objects.get(username=username), period, filled(jining_officer, period))
    assert_refused(result, before, period, "", 0, "", "没有要填报的报表")


def test_it_refuses_an_upload_over_the_limit_on_the_page_before_reading_it(period, as_jining, jining_officer,
                                                                           settings):
    settings.JIQUN_UPLOAD_MAX_BYTES = 4096
    upload = io.BytesIO(filled(jining_officer, period))
    upload.name = "季报.xlsx"
    before = db_state(period)
    page = as_jining.post(f"/monitoring/periods/{period.pk}/upload/", {"file": upload}).content.decode()
    assert "季报.xlsx" in page and "超过上限 4 KB" in page
    assert db_state(period) == before


def test_the_command_line_import_applies_the_same_bounds(period, jining_officer, tmp_path):
    path = tmp_path / "季报.xlsx"
    path.write_bytes(with_rows(template_for(jining_officer, period),
                               b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    before = db_state(period)
    with pytest.raises(CommandError, match="XFD1048576"):
        call_command("import", "report", str(path), "--user", "jining")
    assert db_state(period) == before


def test_the_command_line_import_refuses_a_file_over_the_limit_before_reading_it(period, jining_officer, tmp_path,
                                                                                 settings):
    settings.JIQUN_UPLOAD_MAX_BYTES = 4096
    path = tmp_path / "季报.xlsx"
    path.write_bytes(filled(jining_officer, period))
    before = db_state(period)
    with pytest.raises(CommandError, match="超过上限"):
        call_command("import", "report", str(path), "--user", "jining")
    assert db_state(period) == before


# The exporter's own escaping, read back --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["=HYPERLINK(1)集群", "+86集群", "-任城集群", "@任城集群"])
def test_a_template_for_a_name_beginning_with_a_formula_sign_imports_back_unchanged(jining_officer, name):
    period = open_test_period(programme_code="TEST-ESCAPE")
    report = period.reports.get(cluster__name="任城测试集群")
    cluster = report.cluster
    from jiqun.clusters.services import cluster_update

    cluster_update(actor=None, cluster=cluster, name=name)
    report_values_save(actor=jining_officer, report=report, values=values(GOOD))
    template = template_for(jining_officer, period)
    assert part(template, "xl/sharedStrings.xml").count(f"'{name}".encode()) == 1  # written safely, as before
    revisions = ReportRevision.objects.count()
    result = run(jining_officer, period, template)
    assert result.ok, result.problems
    assert ReportRevision.objects.count() == revisions  # the same figures: nothing to change
