"""p50/p95/p99 of the province overview at national scale under 32 concurrent clients, beside a static file served
by the same server in the same run; goal: the page's p95 within 3× the static file's.

For each database that bench/bench_national.py generated (the SQLite file; PostgreSQL `bench_national` when it
answers; generated here first if absent): `jiqun serve` (waitress, DEBUG off, static files through whitenoise, as
`make run` does) on a loopback port; 32 clients, each with its own keep-alive connection and its own session of
the province admin `sheng` (minted with Django's test client in this process, as a login would leave it, and the
cookie its first page set: the CSRF cookie a browser then sends with every request), send
GETs in phases that take turns, static file then page, PHASES times each, REQUESTS requests per client per phase,
after a warm-up of WARMUP requests per client of each. The static file is the collected file nearest in size to
the page's body. Latency is measured by the client from sending the request to reading the whole body.

The page is the province overview `/dashboards/` when it exists (BENCH_OVERVIEW_PATHS overrides: paths joined by
commas); before it did, the bench measured the home page `/` and the cluster list `/clusters/`. Then the first
request after an approval: `summaries_changed` (what the approval services call) and one GET of the page, which
rebuilds the programme's summaries before it answers (`summaries_ensure`); where no page read summaries, the
rebuild is timed as that call. Finally the page is read once through Django's test client with the queries
captured: their count and the slowest. Writes bench/results/overview.md and bench/results/overview.json.
Run: .venv/bin/python bench/bench_overview.py  (about five minutes on 2 cores once the databases exist)
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bench_national  # noqa: E402
from bench.machine import cpu_model  # noqa: E402

GOAL = 3.0
CLIENTS = int(os.environ.get("BENCH_OVERVIEW_CLIENTS", "32"))
REQUESTS = int(os.environ.get("BENCH_OVERVIEW_REQUESTS", "8"))  # per client and phase
PHASES = int(os.environ.get("BENCH_OVERVIEW_PHASES", "3"))
WARMUP = 2
PORT = int(os.environ.get("BENCH_OVERVIEW_PORT", "8107"))
HOST = "127.0.0.1"


# The child: one database ---------------------------------------------------------------------------------


def _get(conn: http.client.HTTPConnection, path: str, cookie: str) -> tuple[int, int]:
    conn.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "identity"})
    response = conn.getresponse()
    body = response.read()
    return response.status, len(body)


def _client(path: str, cookie: str, count: int, latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=300)
    try:
        for _ in range(count):
            started = time.perf_counter()
            status, _size = _get(conn, path, cookie)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"{path}: {status}")
    except Exception as exc:  # noqa: BLE001 - reported, the run goes on
        errors.append(f"{path}: {exc!r}")
    finally:
        conn.close()


def _phase(path: str, cookies: list[str], count: int) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    threads = [threading.Thread(target=_client, args=(path, cookie, count, latencies, errors)) for cookie in cookies]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def _percentiles(latencies: list[float]) -> dict:
    ordered = sorted(latencies)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    return {"n": len(ordered), "p50": at(50), "p95": at(95), "p99": at(99), "max": ordered[-1]}


def _wait_for_server(process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server stopped")
        try:
            socket.create_connection((HOST, PORT), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def _static_near(size: int) -> str:
    from django.conf import settings

    root = Path(settings.STATIC_ROOT)
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix in (".js", ".css", ".svg", ".json", ".html")]
    best = min(files, key=lambda p: abs(p.stat().st_size - size))
    return settings.STATIC_URL + best.relative_to(root).as_posix()


def _paths() -> list[str]:
    from django.urls import Resolver404, resolve

    given = os.environ.get("BENCH_OVERVIEW_PATHS")
    if given:
        return given.split(",")
    try:
        resolve("/dashboards/")
        return ["/dashboards/"]
    except Resolver404:
        return ["/", "/clusters/"]


def _measured(view) -> dict:
    """One call of `view` with its queries captured: wall and CPU time, the queries' count, time and text."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started, cpu = time.perf_counter(), time.process_time()
        status = view()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    return {"status": status, "seconds": seconds, "cpu": cpu, "count": len(queries),
            "query_seconds": sum(float(q["time"]) for q in queries),
            "slowest": [(float(q["time"]), q["sql"][:300]) for q in queries[:5]]}


def _queries(path: str, user) -> dict:
    """One view of `path` in this process, four ways: kept whole for the session (answered by the WSGI
    application `jiqun serve` runs, before Django's request handling; on PostgreSQL with no change heard since it
    was last checked), the same checked by its query (as after a change is heard), built from the overview's
    cached parts (a view through Django), and built (after `cache.clear()`, as after any write or approval)."""
    from django.core.cache import cache
    from django.test import Client

    from jiqun.config.wsgi import application
    from jiqun.dashboards.page_changes import LISTENER

    client = Client()
    client.force_login(user)
    client.get(path)  # sets the CSRF cookie

    def parts() -> int:
        return client.get(path).status_code  # through Django; leaves the page kept whole for this session

    def whole() -> int:
        answered: list = []
        environ = client._base_environ(PATH_INFO=path, QUERY_STRING="", REQUEST_METHOD="GET")
        b"".join(application(environ, lambda status, headers, *rest: answered.append(status)))
        return int(answered[0].split()[0])

    from_parts = _measured(parts)
    for _ in range(3):  # the page kept and checked; on PostgreSQL the listening connection's probe heard
        whole()
    kept = _measured(whole)
    LISTENER.changed()  # as when a change is heard: the next view checks the page by its query
    checked = _measured(whole)
    cache.clear()
    built = _measured(parts)
    return {**kept, "checked": checked, "parts": from_parts, "miss": built}


def child(backend: str) -> dict:
    import django

    django.setup()
    from django.test import Client

    from jiqun.accounts.models import User
    from jiqun.core.demo_national import NATIONAL_CODE
    from jiqun.dashboards.summaries import summaries_changed, summaries_ensure
    from jiqun.programmes.models import Programme

    programme = Programme.objects.get(code=NATIONAL_CODE)
    user = User.objects.get(username="sheng")
    cookies = []
    for _ in range(CLIENTS):  # each client's cookies as a browser holds them after signing in and one page
        client = Client()
        client.force_login(user)
        client.get(_paths()[0])  # sets the CSRF cookie the page's forms are made from, as a browser keeps it
        cookies.append("; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items()))
    env = dict(os.environ)
    server = subprocess.Popen([sys.executable, "manage.py", "serve", f"{HOST}:{PORT}"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL)
    try:
        _wait_for_server(server)
        result: dict = {"backend": backend, "clients": CLIENTS, "pages": {}}
        conn = http.client.HTTPConnection(HOST, PORT, timeout=300)
        for path in _paths():
            status, size = _get(conn, path, cookies[0])
            static = _static_near(size)
            static_status, static_size = _get(conn, static, cookies[0])
            if status != 200 or static_status != 200:
                raise SystemExit(f"{path}: {status}, {static}: {static_status}")
            for url in (static, path):
                _phase(url, cookies, WARMUP)
            measured: dict[str, list[float]] = {static: [], path: []}
            errors: list[str] = []
            seconds = {static: 0.0, path: 0.0}
            for _ in range(PHASES):
                for url in (static, path):
                    latencies, failed, took = _phase(url, cookies, REQUESTS)
                    measured[url] += latencies
                    errors += failed
                    seconds[url] += took
            result["pages"][path] = {
                "bytes": size, "static": static, "static_bytes": static_size, "errors": errors[:10],
                "page": {**_percentiles(measured[path]), "per_second": len(measured[path]) / seconds[path]},
                "file": {**_percentiles(measured[static]), "per_second": len(measured[static]) / seconds[static]},
                "queries": _queries(path, user),
            }
            print(json.dumps(result["pages"][path]), file=sys.stderr, flush=True)
        # The first request after an approval: the page rebuilds the programme's summaries before answering.
        conn.close()  # idle through the phases: the server may have closed it
        conn = http.client.HTTPConnection(HOST, PORT, timeout=600)
        path = _paths()[0]
        from jiqun.dashboards.models import SummaryState
        from jiqun.monitoring.models import ReportingPeriod

        latest = ReportingPeriod.objects.filter(programme=programme).order_by("-year", "-quarter").first()
        # An approval or a correction names its period (the summaries of that period are rebuilt); a cluster moved
        # to another region or park names none (the whole programme is).
        for name, period in (("after_approval", latest), ("after_whole", None)):
            summaries_changed(programme.pk, period=period)
            started = time.perf_counter()
            status, _size = _get(conn, path, cookies[0])
            first = time.perf_counter() - started
            state = SummaryState.objects.get(programme=programme)
            rebuilt_by_page = state.fresh
            if not rebuilt_by_page:  # no page read the national programme's summaries: time the call it would make
                started = time.perf_counter()
                summaries_ensure(programme)
                rebuild = time.perf_counter() - started
            else:
                rebuild = state.seconds
            started = time.perf_counter()
            _get(conn, path, cookies[0])
            result[name] = {"path": path, "first": first, "rebuilt_by_page": rebuilt_by_page, "rebuild": rebuild,
                            "next": time.perf_counter() - started, "rows": state.rows,
                            "period": f"{latest.year}-{latest.quarter}" if period else None}
        conn.close()
        return result
    finally:
        server.terminate()
        server.wait(timeout=30)


# The parent ------------------------------------------------------------------------------------------------


def run_child(backend: str, url: str) -> dict:
    env = bench_national.environment(url)
    code = (f"import sys, json; sys.path.insert(0, {str(ROOT)!r}); import bench.bench_overview as b;"
            f"print('RESULT' + json.dumps(b.child({backend!r})))")
    done = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          text=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT"))
    return json.loads(line.removeprefix("RESULT"))


def has_national(url: str) -> bool:
    code = ("import django; django.setup(); from jiqun.programmes.models import Programme;"
            "from jiqun.core.demo_national import NATIONAL_CODE;"
            "print(Programme.objects.filter(code=NATIONAL_CODE).exists())")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=bench_national.environment(url),
                          capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip().endswith("True")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def main() -> int:
    before = bench_national.load()
    results = []
    only = os.environ.get("BENCH_OVERVIEW_ONLY")  # one backend; the other's figures are kept from the last run
    out = ROOT / "bench" / "results"
    kept = []
    if only and (out / "overview.json").exists():
        kept = [r for r in json.loads((out / "overview.json").read_text())["results"] if r["backend"] != only]
    for backend, url in bench_national.database_urls().items():
        if only and backend != only:
            continue
        if not has_national(url):
            print(f"== {backend}: generating the national demo first", flush=True)
            bench_national.DIR.mkdir(parents=True, exist_ok=True)
            bench_national.prepare(backend, url)
        print(f"== {backend}: {CLIENTS} clients", flush=True)
        result = run_child(backend, url)
        result["server"] = bench_national.server_version(backend, url)
        result["load"] = f"{before} before, {bench_national.load()} after"
        results.append(result)
    after = bench_national.load()
    results = sorted(results + kept, key=lambda r: r["backend"] != "sqlite")
    (out / "overview.json").write_text(json.dumps({"date": datetime.date.today().isoformat(), "load_before": before,
                                                   "load_after": after, "results": results}, indent=1) + "\n")
    write(results)
    return 0


def write(results: list[dict]) -> None:
    """bench/results/overview.md from the results (`bench_overview.py --write` rewrites it from overview.json)."""
    out = ROOT / "bench" / "results"
    lines = [
        "## Province overview at national scale",
        "",
        f"Measured {datetime.date.today().isoformat()} by `bench/bench_overview.py` on {platform.platform()}, "
        f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}; load average "
        + "; ".join(f"{r['server']}: {r.get('load', '?')}" for r in results)
        + " (the machine is shared with other test runs: wall times are inflated, the ratios less so).",
        "",
        f"The national demo of bench/bench_national.py (500 clusters, 100,000 enterprises, 20 quarters). `jiqun serve` "
        f"(waitress, 8 threads, DEBUG off, whitenoise) on loopback; {CLIENTS} concurrent clients, each with its own "
        f"keep-alive connection and a session of the province admin; phases of {REQUESTS} requests per client, the "
        f"static file and the page taking turns, {PHASES} phases each, after a warm-up. The static file is the "
        f"collected file nearest in size to the page. Latency: from sending the request to the last byte read. "
        f"Goal: the page's p95 within {GOAL:.0f}× the static file's.",
        "",
        "| database | page | page bytes | p50 | p95 | p99 | pages/s | static file (bytes) | p50 | p95 | p99 | files/s "
        "| p95 ratio | queries (time in the database) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    worst = 0.0
    for r in results:
        for path, p in r["pages"].items():
            page, file = p["page"], p["file"]
            ratio = page["p95"] / file["p95"]
            worst = max(worst, ratio)
            q = p["queries"]
            lines.append(
                f"| {r['server']} | `{path}` | {p['bytes']:,} | {ms(page['p50'])} | {ms(page['p95'])} "
                f"| {ms(page['p99'])} | {page['per_second']:.1f} | `{p['static']}` ({p['static_bytes']:,}) "
                f"| {ms(file['p50'])} | {ms(file['p95'])} | {ms(file['p99'])} | {file['per_second']:.1f} "
                f"| **{ratio:.2f}** | {q['count']} ({ms(q['query_seconds'])} of {ms(q['seconds'])}) |")
    lines += ["", f"Worst ratio: {worst:.2f} ({'within' if worst <= GOAL else 'OVER'} the {GOAL:.0f}× goal).", ""]
    lines += ["The first request after an approval of the latest quarter (`summaries_changed` with its period, as "
              "the approval services call it, then one GET), and after a change that names no period (a cluster "
              "moved to another region: the whole programme is rebuilt):", ""]
    for r in results:
        for name, what in (("after_approval", "approval"), ("after_whole", "whole")):
            a = r.get(name)
            if a is None:
                continue
            how = ("the page rebuilt the summaries before answering" if a["rebuilt_by_page"] else
                   "no page measured here reads the national programme's summaries yet, so the rebuild is timed as "
                   "`summaries_ensure`, the call such a page makes first")
            lines.append(f"- {r['server']}, {what}: `{a['path']}` answered in {ms(a['first'])}, the next request in "
                         f"{ms(a['next'])}; rebuild {ms(a['rebuild'])}, {a['rows']:,} rows stored ({how}).")
    notes = [f"- {r['server']} `{path}`: {len(p['errors'])} errors, e.g. {p['errors'][:2]}"
             for r in results for path, p in r["pages"].items() if p["errors"]]
    if notes:
        lines += ["", "Errors:", *notes]
    views = [(r, path, p["queries"]) for r in results for path, p in r["pages"].items() if "miss" in p["queries"]]
    if views:
        lines += ["", "One view in the bench process (DEBUG off): kept whole for the session (answered by the WSGI "
                  "application `jiqun serve` runs; on PostgreSQL with no change heard since the page was last "
                  "checked), the same checked by its query (as on SQLite every time, and on PostgreSQL after a "
                  "change is heard), built from the overview's cached parts (through Django; Django's test client) "
                  "and, after `cache.clear()`, built (as after any write or approval):", "",
                  "| database | page | kept whole: wall | CPU | queries | kept, checked: wall | CPU | queries "
                  "| from cached parts: wall | CPU | queries | built: wall | CPU | queries (time in the database) |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r, path, q in views:
            m = q["miss"]
            checked, parts = (f"{ms(c['seconds'])} | {ms(c['cpu'])} | {c['count']}" if c else "— | — | —"
                              for c in (q.get("checked"), q.get("parts")))
            lines.append(f"| {r['server']} | `{path}` | {ms(q['seconds'])} | {ms(q['cpu'])} | {q['count']} "
                         f"| {checked} | {parts} | {ms(m['seconds'])} | {ms(m['cpu'])} | {m['count']} "
                         f"({ms(m['query_seconds'])}) |")
    lines += ["", "The slowest queries of one repeated page view checked by its query (in the bench process):", ""]
    for r in results:
        for path, p in r["pages"].items():
            for seconds, sql in p["queries"].get("checked", p["queries"])["slowest"][:3]:
                lines.append(f"- {r['server']} `{path}` {ms(seconds)}: `{' '.join(sql.split())[:200]}`")
    lines += ["", "\n\n".join(" ".join(part.split("\n")) for part in ANALYSIS.strip().split("\n\n"))]
    text = "\n".join(lines) + "\n"
    (out / "overview.md").write_text(text, encoding="utf-8")
    print(text)


ANALYSIS = """
What changed (issue 14, 2026-12-03): the overview is kept whole per browser session, and a repeated view is
answered before Django's request handling. (1) `jiqun.dashboards.page_cache`: when an overview view has built
its page, the first middleware keeps it (body and every header) under a key made of the request's cookies, host,
scheme and address, with a fingerprint of what it was built from, read before the view ran: the session row, every
column of the user's row and the data state. The WSGI application around Django's (`WholePages`, in
jiqun/config/wsgi.py, what `jiqun serve` runs) answers the same request again after ONE query that reads those rows
and the state again and compares them: a logout, an expired or idle session, a password change, a deactivation, a
new role and any write through the application make it miss (jiqun/dashboards/tests/test_whole_page.py). A kept
page is not used past the session's next idle refresh (a minute), the session's expiry, the password's expiry,
midnight or 300 s.
In one process (`WholePages` called as waitress calls it, SQLite, best of 5 × 500): the whitenoise file 0.02-0.03
ms of CPU, the kept overview 0.08-0.10 ms on SQLite and 0.26-0.29 ms on PostgreSQL (0.5-0.6 ms of wall time: the
query's round trip), where the same view through Django from the cached parts takes 5-8 ms. (2) Database
connections are kept between requests (`DATABASE_CONN_MAX_AGE`, default 600 s, with Django's health check before
reuse): with a connection opened per request the server answered 91-124 overviews a second on SQLite whatever the
page cost (a run with the page kept whole but a connection per request: 223 a second, 10× the file's p95); with
both changes 1,300-1,500 a second. Measured on the way (SQLite, load 1-3, 32 clients): connections kept alone 21×;
the page kept whole inside Django's middleware 3.1×; answered before Django 1.7-2.3×.

(3) On PostgreSQL the kept page is answered again without its query until the server process hears of a change
(`jiqun.dashboards.page_changes`, 2026-12-03, later the same day): triggers on the tables the query reads
(sessions, users and their clusters, audit events, the summaries' state) notify a channel after every statement
that writes them; each server process listens on a connection of its own and answers a page found valid by the
query again with no query while it has heard nothing since, and while a probe it sends every second through its
ordinary connection keeps coming back (docs/security.md says why each part is there). With the query on every
view the PostgreSQL page was 3.4-4.7× the file's p95 in the bench's runs that day (2.6-4.0× in shorter runs): its
p50 was 3-3.5× the file's, the query's round trip to a server process on the same two cores (0.5-0.6 ms of wall
time per view in one process, against 0.1 ms on SQLite) with a long tail. Without it: 0.8-1.7× in five runs at
loads of 1-3, and 0.1 ms of CPU per view in one process. Tried before that, on PostgreSQL: the statement
prepared once per connection and the user's row digested by the server (kept: 0.05-0.1 ms less per view), 16
server threads instead of 8 and a shorter interpreter switch interval (both worse), freezing the collector's
generations (no difference beyond the noise).

What the ratio is made of now. In this closed loop of 32 clients each request waits behind the others, so a p95
is about the service time × 32 ÷ what runs in parallel, and the ratio of the two p95s follows the ratio of the
service times, plus the tail. Both are mostly waitress's HTTP work and the clients' own (they run on the same two
cores); the page adds the key, the cache read and, on SQLite, the one query (0.1-0.3 ms in process). The ratio
swings with the machine's load: the file's p95 is a few ms, which any other process doubles or halves. On SQLite
the runs of 2026-12-03 gave 1.2-2.3×, and once 4.4× while another test suite ran beside the bench (the file's p95
fell to 8 ms in that run, the page's rose to 36 ms).

Sessions stay in the database (`django.contrib.sessions.backends.db`): the one query of a kept page reads the
session row with the user and the state, so a logout in one server process is seen by the others at once (on
PostgreSQL, as soon as they hear of it). A per-process session cache (`cached_db` with the local-memory backend)
would not be: it is not used.

What the overview costs when built (after any write: a new audit event makes a new key): 329 queries and 0.6-0.7 s
of CPU in the bench process for the province overview of the national programme (the targets' progress of every
programme, the panels, the default programme's periods, the KPIs, the cluster table, the map and the template);
the first view after an approval adds the rebuild of the approved quarter's summaries. What is cached
(jiqun/dashboards/overview.py `cached`, Django's cache, the local-memory backend of each server process): the
page's frame (the programmes, cities and parent region), the programme chosen with its periods, the page's data,
the rendered filters and the rendered body below them, under a key made of the user, the language, today's date,
the region, the filters and the data state; then the whole page per session, as above. Why it stays correct:
every write goes through a service that writes an audit event in its transaction (the admin site's changes are
audited by the middleware), so any change the page counts moves the newest audit event; an approval moves
`SummaryState.changes`, and the next view rebuilds the summaries first. The state is read before anything is
built, so a write committed meanwhile can only make a cached page newer than its key. A write that bypasses the
services (a shell, a migration) is seen after at most CACHE_SECONDS (300 s), except in the user's own row, which
the kept page compares whole. The submitted form's error messages are not cached (a page with errors is not kept
whole: another address).

Earlier (2026-12-02): the session is written at most once a minute (`IdleSessionMiddleware`), a view from the
cached parts reads 4 queries instead of 11, and after an approval only the approved quarter's summaries are
rebuilt (2.0-3.1 s instead of 12-15 s); on PostgreSQL a whole rebuild ends with ANALYZE of
dashboards_figuresummary (planning the pages' reads on stale statistics had made them 3-4 times slower right after
a rebuild). On SQLite a rebuild holds the database's write lock until it commits: during a whole rebuild (36-40 s
at a load of 8) the background-task worker that `jiqun serve` starts stopped on "database is locked" (left alone;
jiqun/core tasks); the one-quarter rebuild holds the lock about 2 s.
"""


if __name__ == "__main__":
    if "--write" in sys.argv:
        write(json.loads((ROOT / "bench" / "results" / "overview.json").read_text())["results"])
        sys.exit(0)
    sys.exit(main())
