"""The engine stays free of Django: no import in its source, and none pulled in at run time."""

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
FRAMEWORK = "dj" + "ango"  # spelled in two parts so this file passes the same check


def test_no_module_of_the_engine_imports_the_web_framework():
    pattern = re.compile(rf"^\s*(from|import)\s+{FRAMEWORK}\b", re.MULTILINE)

    offenders = [str(p) for p in PACKAGE.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]

    assert offenders == []


def test_importing_the_engine_and_its_cli_loads_no_framework_module():
    code = (
        "import sys, jiqun.scoring, jiqun.scoring.cli\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] == {FRAMEWORK!r}))"
    )

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert done.stdout.strip() == "[]"
