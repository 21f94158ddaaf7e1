"""Benchmark the statistical template of a 100,000-enterprise scope built inside the request vs as a background job.

The data is bench_import's: the demo province, then 100,000 济南 member enterprises in one cluster and an
enterprise-level period, on a migrated SQLite file (PostgreSQL is not measured here: the work is the same
template builder, and the job only moves it out of the request). For a 济南 city officer it measures:

(a) in the request: GET /monitoring/periods/<pk>/template.xlsx (JIQUN_TASK_THRESHOLD_ROWS above the scope),
    the time until the workbook arrives;
(b) as a job (threshold below the scope): POST /tasks/template/<pk>/ and GET of the job page it sends to, the
    time until the user sees that page; then the worker's run of the job (what `db_worker` does:
    jiqun.core.tasks.run_job) and the download, the total until the file is in hand.

Writes bench/results/tasks.md. Run: .venv/bin/python bench/bench_tasks.py  (BENCH_IMPORT_ROWS=5000 to try it out)
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

from bench.machine import cpu_model  # noqa: E402


def child() -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, override_settings

    from bench.bench_import import ROWS, setup_data
    from jiqun.accounts.models import User
    from jiqun.core.models import BackgroundJob, JobStatus
    from jiqun.core.tasks import run_job

    call_command("migrate", verbosity=0)
    period, _seconds = setup_data()
    client = Client()
    client.force_login(User.objects.get(username="jinan"))
    with override_settings(JIQUN_TASK_THRESHOLD_ROWS=10 * ROWS, ALLOWED_HOSTS=["*"]):
        start = time.perf_counter()
        response = client.get(f"/monitoring/periods/{period.pk}/template.xlsx")
        inline = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        size = len(response.content)
    with override_settings(JIQUN_TASK_THRESHOLD_ROWS=0, ALLOWED_HOSTS=["*"]):
        start = time.perf_counter()
        response = client.post(f"/tasks/template/{period.pk}/")
        assert response.status_code == 302, response.status_code
        page = client.get(response["Location"])
        answered = time.perf_counter() - start
        assert page.status_code == 200
        job = BackgroundJob.objects.order_by("-created_at").first()
        run_job(str(job.pk))  # what the worker does with the queued task
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.error
        download = client.get(f"/tasks/{job.pk}/download")
        content = b"".join(download.streaming_content)
        total = time.perf_counter() - start
    return {"rows": ROWS, "inline": inline, "answered": answered, "total": total, "bytes": size,
            "job_bytes": len(content)}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="jiqun-bench-") as tmp:
        out = Path(tmp) / "tasks.json"
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", DJANGO_SETTINGS_MODULE="jiqun.config.settings",
                   DJANGO_DEBUG="0", JIQUN_VAR_DIR=tmp)
        code = (f"import sys, json; sys.path.insert(0, {str(ROOT)!r}); import bench.bench_tasks as b;"
                f"from pathlib import Path; Path({str(out)!r}).write_text(json.dumps(b.child()))")
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)
        r = json.loads(out.read_text())
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "## Statistical template: in the request vs as a background job",
        "",
        f"Measured {datetime.date.today().isoformat()} by `bench/bench_tasks.py` on {platform.platform()}, "
        f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite; load average {load} "
        "after the run (the machine is shared).",
        "",
        f"The scope: a 济南 city officer with {r['rows']:,} member enterprises in an enterprise-level period (the data "
        "of bench_import). (a) the template built in the request, as below JIQUN_TASK_THRESHOLD_ROWS; (b) the same "
        "template as a background job: the user's wait is the POST and the job page it is sent to; the total adds "
        "the worker's run (jiqun.core.tasks.run_job, what `db_worker` calls) and the download. One run each.",
        "",
        "| | (a) in the request | (b) job: until the job page answers | (b) job: until the file is downloaded |",
        "|---|---|---|---|",
        f"| time | {r['inline']:.2f} s | {r['answered']:.2f} s | {r['total']:.2f} s |",
        "",
        f"The workbooks are {r['bytes'] / 2**20:.1f} MiB (request) and {r['job_bytes'] / 2**20:.1f} MiB (job). "
        "With the job, no request holds a server thread (8 by default) for the build, and the page tells the user "
        "how far the work is; the worker polls every second, so the total adds at most a second of waiting.",
    ]
    text = "\n".join(lines) + "\n"
    (ROOT / "bench" / "results" / "tasks.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
