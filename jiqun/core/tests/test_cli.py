import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jiqun.programmes.models import Programme

ROOT = Path(__file__).resolve().parents[3]


def jiqun(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jiqun.cli", *args], capture_output=True, text=True, cwd=ROOT)


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_programmes_list_names_every_programme():
    output = run("programmes", "list")
    for programme in Programme.objects.all():
        assert programme.code in output


@pytest.mark.django_db
def test_programmes_show_prints_targets_with_citations():
    output = run("programmes", "show", "SD-2023-185")
    assert "鲁政办字〔2023〕185号" in output and "依据" in output


@pytest.mark.django_db
def test_programmes_show_unknown_code_says_which_exist():
    with pytest.raises(CommandError, match="NOPE 不存在"):
        run("programmes", "show", "NOPE")


@pytest.mark.django_db
def test_programmes_load_refuses_a_bad_pack_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: BAD\nname: 坏\n", encoding="utf-8")
    count = Programme.objects.count()
    with pytest.raises(CommandError, match="bad.yaml: document"):
        run("programmes", "load", str(bad))
    assert Programme.objects.count() == count


@pytest.mark.django_db
def test_demo_runs_again_in_place():
    before = Programme.objects.count()
    run("demo", "--verbosity", "0")
    assert Programme.objects.count() == before


def test_the_jiqun_command_checks_the_shipped_packs():
    result = jiqun("programmes", "check")
    assert result.returncode == 0, result.stderr
    assert "sd-2023-185.yaml" in result.stdout


def test_the_jiqun_command_reaches_the_engine_without_django():
    result = jiqun("engine", "--help")
    assert result.returncode == 0 and "score" in result.stdout


def test_the_engine_never_imports_django():
    code = ("import sys, jiqun.scoring, jiqun.scoring.cli; "
            "bad = [m for m in sys.modules if m.split('.')[0] == 'django']; print(*bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, f"jiqun.scoring imported: {result.stdout}{result.stderr}"
