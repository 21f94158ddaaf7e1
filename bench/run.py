"""Run every bench/bench_*.py and gather their sections into bench/RESULTS.md.

Each bench script measures its figures beside a baseline taken in the same run and writes one markdown
section to bench/results/<name>.md; this script only runs them and concatenates the sections.
"""

import datetime
import platform
import subprocess
import sys
from pathlib import Path

from machine import cpu_model  # bench/machine.py: scripts run with bench/ on sys.path

HERE = Path(__file__).resolve().parent




def main() -> int:
    """`bench/run.py [NAME …]` runs the named benches (all by default); `--gather` only rewrites RESULTS.md."""
    args = sys.argv[1:]
    only = set(args) - {"--gather"}
    for script in sorted(HERE.glob("bench_*.py")):
        if "--gather" in args:
            break
        if only and script.stem.removeprefix("bench_") not in only:
            continue
        print(f"== {script.name}", flush=True)
        subprocess.run([sys.executable, str(script)], check=True, cwd=HERE.parent)
    sections = [p.read_text(encoding="utf-8").strip() for p in sorted((HERE / "results").glob("*.md"))]
    header = (
        "# Benchmarks\n\n"
        f"Gathered {datetime.date.today().isoformat()} by `make bench` on {platform.node()} "
        f"({cpu_model()}, {platform.machine()}, Python {platform.python_version()}). Each figure stands beside a "
        "baseline measured in the same run; each section names its own machine and date.\n"
    )
    (HERE / "RESULTS.md").write_text(header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"wrote {HERE / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
