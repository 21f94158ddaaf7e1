"""Benchmark the two kinds of long work a page hands to the background worker, each built inside the request vs
as a background job: the statistical template of a 100,000-enterprise scope and the quarterly analysis report
(Word) of the province on the national demo.

Statistical template (SQLite only: the work is the same template builder, the job only moves it out of the
request). The data is bench_import's: the demo province, then 100,000 济南 member enterprises in one cluster and
an enterprise-level period, on a migrated SQLite file. For a 济南 city officer:

(a) in the request: GET /monitoring/periods/<pk>/template.xlsx (JIQUN_TASK_THRESHOLD_ROWS above the scope), the
    time until the workbook arrives;
(b) as a job (threshold below the scope): POST /tasks/template/<pk>/ and GET of the job page it sends to, the time
    until the user sees that page; then the worker's run of the job (what `db_worker` does:
    jiqun.core.tasks.run_job) and the download, the total until the file is in hand.

Quarterly analysis report, on SQLite and on PostgreSQL (when BENCH_PG_SERVER answers). The database is built as
bench/bench_national.py builds it (its helpers: migrate, the demo province, `jiqun demo --scale national`), under
BENCH_TASKS_DIR (default /tmp/jiqun-bench-tasks) and in the PostgreSQL database BENCH_TASKS_PG_NAME (default
htasks_bench). For the province admin (sheng), the report of the province on the national programme's last quarter:

(a) in the request: GET /reports/quarterly.docx?programme=NATIONAL-DEMO&year=…&quarter=…;
(b) as a job: POST /tasks/quarterly/ with the same parameters and GET of the job page, then the worker's run and
    the download.

The quarterly report is timed twice each way, (a) (b) (a) (b) in one process, and the best of each is kept: the
first request in a process pays for imports and cold caches the second does not. Wall and CPU time (the machine
is shared: CPU time varies less).

Writes bench/results/tasks.md (the section of bench/RESULTS.md). Run: .venv/bin/python bench/bench_tasks.py
(about 10 minutes on 2 cores). BENCH_TASKS_REUSE=1 keeps national databases built by an earlier run;
BENCH_TASKS_PARTS=template or =quarterly runs one part; BENCH_IMPORT_ROWS=5000 and
BENCH_NATIONAL_SIZE="--clusters 20 --enterprises 400 --quarters 8" to try it out.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bench_national as national  # noqa: E402
from bench.machine import cpu_model  # noqa: E402

national.DIR = Path(os.environ.get("BENCH_TASKS_DIR", "/tmp/jiqun-bench-tasks"))
national.PG_NAME = os.environ.get("BENCH_TASKS_PG_NAME", "htasks_bench")
PARTS = os.environ.get("BENCH_TASKS_PARTS", "template,quarterly").split(",")
REUSE = os.environ.get("BENCH_TASKS_REUSE", "") == "1"


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    """(wall, CPU) seconds since `start`."""
    return time.perf_counter() - start[0], time.process_time() - start[1]


def _as_job(client, post: str, data: dict | None = None) -> tuple[tuple, tuple, int]:
    """POST that starts a job and GET of the job page (the user's wait), then the worker's run and the download:
    ((wall, CPU) until the job page answered, (wall, CPU) until the file is in hand, bytes)."""
    from jiqun.core.models import BackgroundJob, JobStatus
    from jiqun.core.tasks import run_job

    start = _clock()
    response = client.post(post, data or {})
    assert response.status_code == 302, (response.status_code, response.content[:300])
    page = client.get(response["Location"])
    answered = _since(start)
    assert page.status_code == 200
    job = BackgroundJob.objects.order_by("-created_at").first()
    run_job(str(job.pk))  # what the worker does with the queued task
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    download = client.get(f"/tasks/{job.pk}/download")
    content = b"".join(download.streaming_content)
    return answered, _since(start), len(content)


def child() -> dict:
    """The statistical template: (a) and (b), in a child on a fresh SQLite file."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, override_settings

    from bench.bench_import import ROWS, setup_data
    from jiqun.accounts.models import User

    call_command("migrate", verbosity=0)
    period, _seconds = setup_data()
    client = Client()
    client.force_login(User.objects.get(username="jinan"))
    with override_settings(JIQUN_TASK_THRESHOLD_ROWS=10 * ROWS, ALLOWED_HOSTS=["*"]):
        start = _clock()
        response = client.get(f"/monitoring/periods/{period.pk}/template.xlsx")
        inline = _since(start)
        assert response.status_code == 200, response.status_code
        size = len(response.content)
    with override_settings(JIQUN_TASK_THRESHOLD_ROWS=0, ALLOWED_HOSTS=["*"]):
        answered, total, job_bytes = _as_job(client, f"/tasks/template/{period.pk}/")
    return {"rows": ROWS, "inline": inline, "answered": answered, "total": total, "bytes": size,
            "job_bytes": job_bytes}


def child_quarterly() -> dict:
    """The quarterly report of the province on the national demo: (a) and (b), on the database built already."""
    import django

    django.setup()
    from django.test import Client, override_settings

    from jiqun.accounts.models import User
    from jiqun.core.demo_national import NATIONAL_CODE
    from jiqun.monitoring.models import ReportingPeriod

    period = ReportingPeriod.objects.filter(programme__code=NATIONAL_CODE).order_by("-year", "-quarter").first()
    params = {"programme": NATIONAL_CODE, "year": str(period.year), "quarter": str(period.quarter)}
    client = Client()
    client.force_login(User.objects.get(username="sheng"))
    runs: dict[str, list] = {"inline": [], "answered": [], "total": []}
    with override_settings(ALLOWED_HOSTS=["*"]):
        for _round in range(2):
            start = _clock()
            response = client.get("/reports/quarterly.docx", params)
            runs["inline"].append(_since(start))
            assert response.status_code == 200, (response.status_code, response.content[:300])
            size = len(response.content)
            answered, total, job_bytes = _as_job(client, "/tasks/quarterly/", params)
            runs["answered"].append(answered), runs["total"].append(total)
    best = {name: min(values) for name, values in runs.items()}
    return {"period": f"{period.year}年{period.months}", **best, "runs": runs, "bytes": size, "job_bytes": job_bytes}


def _in_child(function: str, env: dict[str, str], out: Path) -> dict:
    code = (f"import sys, json; sys.path.insert(0, {str(ROOT)!r}); import bench.bench_tasks as b;"
            f"from pathlib import Path; Path({str(out)!r}).write_text(json.dumps(b.{function}()))")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)
    return json.loads(out.read_text())


def template() -> dict:
    with tempfile.TemporaryDirectory(prefix="jiqun-bench-") as tmp:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", DJANGO_SETTINGS_MODULE="jiqun.config.settings",
                   DJANGO_DEBUG="0", JIQUN_VAR_DIR=tmp)
        return _in_child("child", env, Path(tmp) / "tasks.json")


def quarterly() -> list[dict]:
    national.DIR.mkdir(parents=True, exist_ok=True)
    results = []
    for backend, url in national.database_urls().items():
        generation = None
        if REUSE and _built(backend, url):
            subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], check=True, cwd=ROOT,
                           env=national.environment(url))
        else:
            print(f"== {backend}: building the national demo", flush=True)
            generation = national.prepare(backend, url)["seconds"]
            print(f"   {generation:.0f} s", flush=True)
        r = _in_child("child_quarterly", national.environment(url), national.DIR / "quarterly.json")
        print(f"   {r}", flush=True)
        results.append({**r, "server": national.server_version(backend, url), "generation": generation})
    return results


def _built(backend: str, url: str) -> bool:
    """Whether the national programme is in that database already (BENCH_TASKS_REUSE)."""
    query = "SELECT 1 FROM programmes_programme WHERE code = 'NATIONAL-DEMO'"
    try:
        if backend == "sqlite":
            import sqlite3

            path = url.removeprefix("sqlite:///")
            if not Path(path).is_file():
                return False
            with sqlite3.connect(path) as conn:
                return conn.execute(query).fetchone() is not None
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            return conn.execute(query).fetchone() is not None
    except Exception:  # noqa: BLE001 - no database, no table: build it
        return False


def _cell(part: list, whole: list | None = None) -> str:
    """Wall (CPU) seconds, and as a share of the baseline's wall time."""
    text = f"{part[0]:.2f} s ({part[1]:.2f} s CPU)"
    return text + (f", {100 * part[0] / whole[0]:.1f} % of (a)" if whole else "")


def main() -> int:
    before = national.load()
    done_quarterly = quarterly() if "quarterly" in PARTS else []
    done_template = template() if "template" in PARTS else None
    lines = [
        "## Long work: in the request vs as a background job (statistical template, quarterly report)",
        "",
        f"Measured {datetime.date.today().isoformat()} by `bench/bench_tasks.py` on {platform.platform()}, "
        f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}; load average {before} before "
        f"and {national.load()} after the run (the machine is shared: wall times vary, CPU times less). The "
        "baseline of each job figure is (a), the same file built inside the request in the same run; each job "
        "figure also says what share of (a)'s wall time it is. The template: one run each way. The quarterly report: "
        "(a) (b) (a) (b) in one process, the best of the two kept for each.",
        "",
        "(a) the file built inside the request; (b) the same file as a background job: the user's wait is the POST "
        "and the job page it is sent to; the total adds the worker's run (jiqun.core.tasks.run_job, what "
        "`db_worker` calls) and the download.",
        "",
        "| work | database | (a) in the request (baseline): wall (CPU) | (b) job: until the job page answers "
        "| (b) job: until the file is downloaded | file |",
        "|---|---|---|---|---|---|",
    ]
    if done_template:
        r = done_template
        lines.append(f"| statistical template, 济南 city officer, {r['rows']:,} member enterprises | SQLite "
                     f"| {_cell(r['inline'])} | {_cell(r['answered'], r['inline'])} "
                     f"| {_cell(r['total'], r['inline'])} | {r['job_bytes'] / 2**20:.1f} MiB |")
    for r in done_quarterly:
        lines.append(f"| quarterly analysis (Word), province admin, national demo {r['period']} | {r['server']} "
                     f"| {_cell(r['inline'])} | {_cell(r['answered'], r['inline'])} "
                     f"| {_cell(r['total'], r['inline'])} | {r['job_bytes'] / 2**10:.0f} KiB |")
    lines += [
        "",
        "The statistical template's scope is the data of bench_import (an enterprise-level period); the quarterly "
        "report's is the province on `jiqun demo --scale national` (500 clusters, 100,000 member enterprises, 20 "
        "quarters), built as bench/bench_national.py builds it"
        + (" (" + ", ".join(f"{r['server']}: {r['generation']:.0f} s" for r in done_quarterly if r["generation"])
           + ", not counted)" if any(r["generation"] for r in done_quarterly) else "") + ". "
        "With the job, no request holds a server thread (8 by default) for the build, and the page tells the user "
        "how far the work is; the worker polls every second, so the total adds at most a second of waiting.",
    ]
    text = "\n".join(lines) + "\n"
    (ROOT / "bench" / "results" / "tasks.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
