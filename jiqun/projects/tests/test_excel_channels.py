"""The project import and export through every channel (page, API, command line), and hostile files refused
before any parser sees them, each with a clear reason and nothing written."""

import argparse
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError

from jiqun.accounts.models import User
from jiqun.conftest import client_for, token_client
from jiqun.monitoring.tests.test_hostile_uploads import (
    dimension,
    entity_strings,
    macro_enabled,
    ratio_bomb,
    with_rows,
)
from jiqun.projects import cli_excel
from jiqun.projects.excel import template_for
from jiqun.projects.importer import import_projects
from jiqun.projects.models import Project
from jiqun.projects.tests.excel_helpers import fill, read_rows
from jiqun.projects.tests.fixtures import make_project

pytestmark = pytest.mark.django_db
D = datetime.date


def _row(code: str, **extra) -> dict:
    row = {"code": code, "name": f"渠道项目{code}", "region": "任城区", "investor": "某公司", "total_investment": 1000,
           "kind": "技术改造项目", "planning_on": D(2024, 1, 2)}
    row.update(extra)
    return row


def run_cli(*args: str) -> str:
    """Parse and run `jiqun projects import|export …` as the projects command will register them."""
    parser = argparse.ArgumentParser()
    cli_excel.add_arguments(parser.add_subparsers(dest="action", required=True))
    out = io.StringIO()
    cli_excel.handle(vars(parser.parse_args(args)), stdout=out)
    return out.getvalue()


# --- hostile files ---------------------------------------------------------------------------------

HOSTILE = {
    "far_cell": (lambda t: with_rows(t, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'), "XFD1048576"),
    "dimension": (dimension, "A1:XFD1048576"),
    "zip_bomb": (ratio_bomb, "压缩炸弹"),
    "macro": (macro_enabled, "宏"),
    "entities": (entity_strings, "xl/sharedStrings.xml"),
    "not_a_zip": (lambda t: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ".xls"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_workbook_is_refused_before_parsing_with_a_reason(jining_officer, case):
    build, words = HOSTILE[case]
    count = Project.objects.count()
    result = import_projects(user=jining_officer, content=build(template_for(jining_officer)), file_name="项目库.xlsx")
    assert not result.ok and words in str(result.problems[0]), [str(p) for p in result.problems]
    assert Project.objects.count() == count


def test_too_many_rows_are_refused(jining_officer, settings, monkeypatch):
    from jiqun.projects import excel

    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    content = fill(template_for(jining_officer), add=[_row(f"CH-R{n}") for n in range(3)], drop_others=True)
    result = import_projects(user=jining_officer, content=content, file_name="多.xlsx")
    assert not result.ok and "上限" in str(result.problems[0])
    assert not Project.objects.filter(code__startswith="CH-R").exists()


def test_a_file_that_is_not_the_template_is_refused(jining_officer):
    from jiqun.monitoring.tests.helpers import open_test_period
    from jiqun.monitoring.tests.test_import import template_for as statistics_template

    period = open_test_period(programme_code="CH-NOT")
    result = import_projects(user=jining_officer, content=statistics_template(User.objects.get(username="sheng"),
                                                                              period), file_name="季报.xlsx")
    assert not result.ok and "项目库模板" in str(result.problems[0])


# --- the page ---------------------------------------------------------------------------------------

def test_the_import_page_shows_every_problem_and_writes_nothing(jining_officer):
    client = client_for(jining_officer)
    assert client.get("/projects/import/").status_code == 200
    template = client.get("/projects/import/template.xlsx")
    assert template.status_code == 200
    bad = fill(template.content, add=[_row("CH-P1", total_investment="很多"), _row("CH-P2")], drop_others=True)
    page = client.post("/projects/import/", {"file": SimpleUploadedFile("项目库.xlsx", bad)})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="import-refused"' in text and "很多" in text
    assert not Project.objects.filter(code__in=["CH-P1", "CH-P2"]).exists()
    good = fill(template.content, add=[_row("CH-P3")], drop_others=True)
    page = client.post("/projects/import/", {"file": SimpleUploadedFile("项目库.xlsx", good)})
    assert 'id="import-ok"' in page.content.decode()
    assert Project.objects.filter(code="CH-P3", region_id="370811").exists()


def test_the_import_page_does_not_exist_for_who_cannot_import():
    for username in ("jiqun_org", "lingdao", "qiye"):
        client = client_for(User.objects.get(username=username))
        assert client.get("/projects/import/").status_code == 404
        assert client.get("/projects/import/template.xlsx").status_code == 404


def test_the_export_link_gives_the_users_projects(jining_officer, jinan_officer):
    make_project(name="导出项目", yi="1", region="370811", code="CH-EX")
    assert "CH-EX" in {r["code"] for r in read_rows(client_for(jining_officer).get("/projects/export.xlsx").content)}
    assert "CH-EX" not in {r["code"] for r in read_rows(client_for(jinan_officer).get("/projects/export.xlsx").content)}


# --- the API ----------------------------------------------------------------------------------------

def test_the_api_imports_all_or_nothing_and_exports_in_scope(jining_officer, jinan_officer):
    api = token_client(jining_officer)
    template = template_for(jining_officer)
    bad = fill(template, add=[_row("CH-A1"), _row("CH-A2", planning_on="昨天")], drop_others=True)
    response = api.post("/api/v1/projects/import", {"file": SimpleUploadedFile("p.xlsx", bad)})
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(5, "R")]
    assert not Project.objects.filter(code__in=["CH-A1", "CH-A2"]).exists()
    good = fill(template, add=[_row("CH-A1")], drop_others=True)
    response = api.post("/api/v1/projects/import", {"file": SimpleUploadedFile("p.xlsx", good)})
    assert response.status_code == 200 and response.json()["created"] == ["CH-A1"]
    export = api.get("/api/v1/projects/export", {"q": "CH-A"})
    assert export.status_code == 200 and [r["code"] for r in read_rows(export.content)] == ["CH-A1"]
    assert not read_rows(token_client(jinan_officer).get("/api/v1/projects/export", {"q": "CH-A"}).content)
    assert api.get("/api/v1/projects/export", {"stage": "nonsense"}).status_code == 400


def test_the_api_import_is_forbidden_to_who_cannot_import():
    api = token_client(User.objects.get(username="jiqun_org"))
    response = api.post("/api/v1/projects/import", {"file": SimpleUploadedFile("p.xlsx", b"PK")})
    assert response.status_code == 403 and "无权" in response.json()["detail"]


# --- the command line -------------------------------------------------------------------------------

def test_the_command_line_imports_and_exports(jining_officer, tmp_path):
    template = template_for(jining_officer)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fill(template, add=[_row("CH-C1", kind="外星项目")], drop_others=True))
    with pytest.raises(CommandError, match="外星项目"):
        run_cli("import", str(bad), "--as", "jining")
    assert not Project.objects.filter(code="CH-C1").exists()
    good = tmp_path / "good.xlsx"
    good.write_bytes(fill(template, add=[_row("CH-C1")], drop_others=True))
    assert "新建 1 个项目" in run_cli("import", str(good), "--as", "jining")
    out = tmp_path / "out.xlsx"
    run_cli("export", "-o", str(out), "--as", "jining", "--q", "CH-C")
    assert [r["code"] for r in read_rows(out.read_bytes())] == ["CH-C1"]
    with pytest.raises(CommandError, match="--stage"):
        run_cli("export", "-o", str(out), "--stage", "nonsense")
    with pytest.raises(CommandError, match="不存在"):
        run_cli("import", str(good), "--as", "nobody")
