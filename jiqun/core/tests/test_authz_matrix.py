"""The authorisation matrix: every route of the URL configuration and every operation of the OpenAPI
document, for every persona, on an object inside and one outside its scope, read and write.

Each route is classified once in PAGES (by URL name) or OPERATIONS (by method and OpenAPI path); a route
that is in neither makes `test_every_route_is_classified` fail, so a new endpoint cannot escape the matrix.
Adding a route is one line: its name, the kind of object its URL names, and its rule.

What is designed:
- an object outside the persona's scope answers 404, never 403, so its existence does not leak;
- a write by a read-only role (leader, expert, the three admins) on an object it sees answers 403;
- a writer gets past the scope and role checks: the matrix sends an empty or harmless body, so the answer
  is a form shown again (200), a redirect (302), a refusal of the content (400/422) or of that one
  object (403), and never a 404 or a 500;
- without login a page redirects to the login (302) and the API answers 401.

One request per cell; clients are made once per persona. The figures are printed for the security doc.
"""

import json
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls import path as url_path

from jiqun.accounts.models import User
from jiqun.accounts.permissions import can_propose_cluster_change
from jiqun.api.views import api
from jiqun.clusters.models import Cluster, ClusterProposal, Review
from jiqun.clusters.services import cluster_proposal_create
from jiqun.config.urls import urlpatterns as project_urlpatterns
from jiqun.conftest import client_for, token_client
from jiqun.enterprises.models import Enterprise
from jiqun.monitoring.models import CorrectionRequest, Report, ReportingPeriod
from jiqun.programmes.models import Indicator, Programme, Target
from jiqun.regions.models import Zone
from jiqun.targets.models import ChainChecklist, ChecklistEvidence, TaskUpdate
from jiqun.targets.selectors import Visibility, target_subjects
from jiqun.targets.services import checklist_evidence_set, task_update_create
from jiqun.targets.supervision import tasks_for

pytestmark = pytest.mark.django_db

ANON = "anonymous"
OFFICERS = ("sheng", "jinan", "jining", "rencheng")  # region officers: they create and approve
WRITERS = (*OFFICERS, "jiqun_org", "qiye")
READ_ONLY = ("zhuanjia", "lingdao", "xitong", "anquan", "shenji")
PERSONAS = (ANON, *WRITERS, *READ_ONLY)
# What each persona is designed to see at all; every other kind is empty for it (test_each_persona_sees...).
SEES = {
    "sheng": {"cluster", "enterprise", "report", "zone", "region", "task", "task_update", "checklist", "target"},
    # the demo has no Jinan enterprise; its reports are those of SD-2023-185's clusters in Jinan
    "jinan": {"cluster", "report", "zone", "region", "task", "task_update", "target"},
    "jining": {"cluster", "enterprise", "report", "zone", "region", "task", "task_update", "checklist", "target"},
    "rencheng": {"cluster", "enterprise", "report", "zone", "region", "task", "task_update", "checklist", "target"},
    "jiqun_org": {"cluster", "enterprise", "report", "region", "target"},  # the demo's cluster has no parks, sheets
    "qiye": {"enterprise", "region"},  # the demo's enterprise has no report of its own
    "lingdao": {"cluster", "enterprise", "report", "zone", "region", "task", "task_update", "checklist", "target"},
    "zhuanjia": set(), "xitong": set(), "anquan": set(), "shenji": set(),
}
# Past scope and role: the content or this object is refused (412/428: a stale or missing If-Match version).
WRITE_OK = {200, 201, 204, 302, 400, 403, 412, 422, 428}
INSIDE, OUTSIDE, NONE = "inside", "outside", "-"


# --- the rules -------------------------------------------------------------------------------------

Rule = Callable[[str, str, str], int | set[int] | None]  # (persona, method, scope) → expected; None: not asked


def anon_page(persona: str) -> int | None:
    return 302 if persona == ANON else None


def public(code: int = 200) -> Rule:
    """Open to everyone, logged in or not."""
    return lambda persona, method, scope: code


def page(get: int = 200) -> Rule:
    """A page without an object that every logged-in persona may open (it lists only what it sees)."""
    return lambda persona, method, scope: anon_page(persona) or get


def read(persona: str, method: str, scope: str) -> int:
    """A page that shows one object: 200 inside the scope, 404 outside."""
    return anon_page(persona) or (200 if scope in (INSIDE, NONE) else 404)


def edit(get_read_only: int = 302) -> Rule:
    """A form on one object: outside is 404; a read-only role is sent back on GET and refused (403) on POST."""
    def rule(persona: str, method: str, scope: str):
        if persona == ANON:
            return 302
        if scope == OUTSIDE:
            return 404
        if persona in READ_ONLY:
            return 403 if method == "POST" else get_read_only
        return WRITE_OK if method == "POST" else {200, 302}
    return rule


def for_roles(personas: tuple[str, ...], *, others: int = 404, ok: int | set[int] = 200,
              post_ok: int | set[int] = WRITE_OK) -> Rule:
    """A page for some roles only; for the others it does not exist."""
    def rule(persona: str, method: str, scope: str):
        if persona == ANON:
            return 302
        if scope == OUTSIDE:
            return 404
        if persona not in personas:
            return others
        return post_ok if method == "POST" else ok
    return rule


def opens_periods(persona: str, method: str, scope: str) -> int | set[int]:
    """Every persona lists the periods; only the province opens one (POST), for the others it does not exist."""
    if method == "GET":
        return anon_page(persona) or 200
    return anon_page(persona) or (WRITE_OK if persona == "sheng" else 404)


def api_read(persona: str, method: str, scope: str) -> int:
    if persona == ANON:
        return 401
    return 200 if scope in (INSIDE, NONE) else 404


def api_write(*, read_only: int = 403, create: bool = False) -> Rule:
    """An API write: outside is 404; a read-only role 403; a writer is past scope and role checks."""
    def rule(persona: str, method: str, scope: str):
        if persona == ANON:
            return 401
        if scope == OUTSIDE:
            return 404
        if persona in READ_ONLY:
            return {read_only, 400} if create else read_only
        return WRITE_OK
    return rule


@dataclass
class Route:
    kind: str | None  # the kind of object the URL names, None when it names none
    rule: Rule
    methods: tuple[str, ...] = ("GET",)
    body: dict = field(default_factory=dict)
    own_session: bool = False  # it ends the session: asked last


# --- the classification: one line per route ----------------------------------------------------------

PAGES: dict[str, Route | str] = {
    "home": Route(None, page()),
    "login": Route(None, lambda p, m, s: 302 if p != ANON else 200),  # a logged-in user is sent on
    "logout": Route(None, public(302), ("POST",), own_session=True),
    "password_change": Route(None, page(), ("GET", "POST")),
    "accounts:tokens": Route(None, page(), ("GET",)),
    "accounts:two_factor": Route(None, page()),
    "set_language": Route(None, public(302), ("POST",)),
    "javascript-catalog": Route(None, public()),
    "programmes:list": Route(None, page()),
    "programmes:detail": Route("programme", read),  # programmes are published documents
    "programmes:source": Route("programme", read),
    "clusters:list": Route(None, page()),
    "clusters:create": Route(None, for_roles(OFFICERS), ("GET", "POST")),
    "clusters:detail": Route("cluster", read),
    # a stored row's id sends on to the figure's lasting address; the address without a figure named is a 404
    "dashboards:figure": Route("figure", lambda p, m, s: anon_page(p) or (302 if s == INSIDE else 404)),
    "dashboards:figure_at": Route(None, lambda p, m, s: anon_page(p) or 404),
    "dashboards:maps": Route(None, page()),  # the province map: each city's number only where the user sees it
    "dashboards:map": Route(None, page()),  # the map file (GeoJSON) every logged-in user's pages draw
    # A region's panels: who sees that region's totals (sees_region_totals), its own region by default; else 404.
    "dashboards:panels": Route(None, for_roles(("sheng", "jinan", "jining", "rencheng", "lingdao"))),
    # The comparison lists only the subjects the user sees; a saved comparison is its owner's alone: another
    # user's is a 404. The matrix's empty body saves nothing: sent back to the page with the message (302).
    "dashboards:compare": Route(None, page()),
    "dashboards:compare_save": Route(None, lambda p, m, s: anon_page(p) or 302, ("POST",)),
    "dashboards:compare_delete": Route("comparison", lambda p, m, s: anon_page(p) or (404 if s == OUTSIDE else 302),
                                       ("POST",)),
    # bulk approval: every persona lists what waits for it (nothing for most); a read-only role may not POST
    "dashboards:workbench_approve": Route(None, lambda p, m, s: anon_page(p) or (
        (403 if p in READ_ONLY else WRITE_OK) if m == "POST" else 200), ("GET", "POST")),
    # The overview of one's own region; whose scope is clusters is sent to its first cluster; the others have none.
    "dashboards:overview": Route(None, lambda p, m, s: anon_page(p) or (
        302 if p == "jiqun_org" else 200 if p in (*OFFICERS, "lingdao") else 404)),
    "dashboards:region": Route("region_overview", read),  # a region whose totals the persona sees (sees_region_totals)
    "clusters:edit": Route("cluster", edit(), ("GET", "POST")),
    "clusters:propose": Route("cluster", edit(), ("GET", "POST")),  # the province decides, so it is sent back
    "clusters:proposals": Route(None, page()),  # lists the proposals on the clusters the user sees
    "clusters:decide": Route("proposal", edit(), ("POST",)),  # below the province: 403
    "clusters:reviews": Route(None, page()),  # lists the reviews of the clusters the user sees
    "clusters:review_decide": Route("review", edit(), ("POST",)),  # below the province: 403
    "clusters:review_decide_due": Route("cluster", edit(), ("POST",)),  # a due review not yet on file: the same
    "enterprises:list": Route(None, page()),
    "enterprises:create": Route(None, for_roles(OFFICERS), ("GET", "POST")),
    "enterprises:detail": Route("enterprise", read),
    "enterprises:edit": Route("enterprise", edit(), ("GET", "POST")),
    "enterprises:carriers": Route(None, page()),
    "enterprises:carrier_create": Route(None, for_roles(OFFICERS), ("GET", "POST")),
    "regions:list": Route(None, page()),
    "monitoring:periods": Route(None, opens_periods, ("GET", "POST")),
    "monitoring:period": Route("period", read),  # periods are the province's calendar
    "monitoring:template": Route("period", for_roles(WRITERS, others=302, ok={200, 302})),  # 302: nothing to fill
    # Only who keeps a report of the period reaches the importer: the matrix's period is an SD-2023-185 quarter,
    # whose clusters in several cities the province keeps and whose two Jining-only clusters (工业母机装备,
    # 工程机械装备, placed by the demo) Jining keeps; Jinan's are all shared with other cities.
    "monitoring:upload": Route("period", for_roles(("sheng", "jining")), ("GET", "POST")),
    "monitoring:reminders": Route("period", read),
    "monitoring:rollup": Route("period", for_roles(("sheng", "jinan", "jining", "lingdao"))),
    "monitoring:report": Route("report", edit(get_read_only=200), ("GET", "POST")),
    "monitoring:annotated": Route("upload", read),
    "monitoring:indicators": Route(None, page()),
    "monitoring:quality": Route(None, page()),  # scores only the reports the user sees
    "monitoring:quality_export": Route(None, page()),
    "monitoring:indicator_edit": Route("indicator", for_roles(("sheng",)), ("GET", "POST")),
    "targets:overview": Route(None, page()),
    "targets:programme": Route("programme", read),
    "targets:export": Route("programme", read),
    "targets:subject": Route("subject", read),
    "targets:detail": Route("target", edit(get_read_only=200), ("GET", "POST")),
    "targets:tasks": Route(None, page()),
    "targets:task": Route("task", edit(get_read_only=200), ("GET", "POST")),
    "targets:task_evidence": Route("task_update", read),
    "targets:checklists": Route(None, page(), ("GET", "POST")),
    "targets:checklist": Route("checklist", edit(get_read_only=200), ("GET", "POST")),
    "targets:checklist_evidence": Route("checklist_evidence", read),
    "chain_chief:home": Route(None, page()),  # the chains the user leads (none: says so)
    "chain_chief:chain": Route("chain", read),  # read-only (GET/HEAD); POST is 405 (jiqun/chains/tests/test_chief.py)
    "evaluation:schemes": Route(None, page()),
    "evaluation:scheme": Route("scheme", read),  # schemes are published rules
    "evaluation:runs": Route(None, lambda p, m, s: anon_page(p) or (200 if m == "GET" else WRITE_OK if p == "sheng" else 403),
                             ("GET", "POST")),  # only the province runs an evaluation
    "evaluation:run": Route("run", read),
    "evaluation:publish": Route("run", edit(), ("POST",)),  # below the province: 403
    "evaluation:explain": Route("run", read),
    "evaluation:export": Route("run", read),
    # The demo's run is of SD-2023-185, whose clusters the province, its leader and the cities the demo places
    # them in see (Jinan, Jining); a county has none of them: nothing to explain.
    "evaluation:explain_export": Route("run", for_roles(("sheng", "lingdao", "jinan", "jining"))),
    "evaluation:scheme_copy": Route("scheme", edit(), ("POST",)),  # the province copies; below: 403
    "evaluation:scheme_edit": Route("scheme", edit(), ("GET", "POST")),  # a locked version sends back
    "evaluation:scheme_export": Route("scheme", read),
    "evaluation:ahp_open": Route("scheme", edit(), ("GET", "POST")),
    "evaluation:invitations": Route(None, page()),  # lists the invitations the user sees
    "evaluation:ahp": Route("consultation", read),
    "evaluation:ahp_close": Route("consultation", edit(), ("POST",)),  # the invited expert: 403
    "evaluation:invitation": Route("invitation", lambda p, m, s: anon_page(p) or (404 if s == OUTSIDE else WRITE_OK if m == "POST" else 200), ("GET", "POST")),
    # Claims are filed by the officer of a region some region scheme evaluates: the demo's county 考核 takes
    # 任城区's; the province decides (a claimer withdraws only a claim still waiting: the matrix's is decided).
    "evaluation:bonus_claims": Route(None, lambda p, m, s: anon_page(p) or (200 if m == "GET" else WRITE_OK if p == "rencheng" else 403),
                                     ("GET", "POST")),
    "evaluation:bonus_claim": Route("claim", edit(get_read_only=200), ("GET", "POST")),
    # the on-site 观摩 scores: everyone sees the scores of the projects it sees; only the province enters them
    "evaluation:observations": Route(None, lambda p, m, s: anon_page(p) or (200 if m == "GET" else WRITE_OK if p == "sheng" else 403),
                                     ("GET", "POST")),
    "recognition:calls": Route(None, page()),
    "recognition:call_create": Route(None, for_roles(("sheng",)), ("GET", "POST")),
    "recognition:call": Route("call", read),
    "recognition:call_move": Route("call", edit(), ("POST",)),  # the province moves it; below: 403
    "recognition:apply": Route("call", edit(), ("GET", "POST")),  # the demo round is closed: sent back
    "recognition:assign": Route("call", for_roles(("sheng",)), ("GET", "POST")),
    "recognition:application": Route("application", read),
    "recognition:objection": Route("application", edit(), ("POST",)),  # the province records; below: 403
    "recognition:answer": Route("application", edit(), ("POST",)),
    "recognition:experts": Route(None, for_roles(("sheng",)), ("GET", "POST")),
    "recognition:assignments": Route(None, page()),
    "recognition:attachment_upload": Route("application", edit(), ("POST",)),  # the applicant, 申报中 only: 403
    "recognition:attachment": Route("attachment", read),  # whoever sees the application downloads
    "recognition:attachment_delete": Route("attachment", edit(), ("POST",)),
    # The expert scores its own assignment; the province sees every one (its POST is refused, 403).
    "recognition:assignment": Route("assignment", lambda p, m, s: anon_page(p) or (404 if s == OUTSIDE else WRITE_OK if m == "POST" else 200), ("GET", "POST")),
    "incidents:list": Route(None, page()),  # lists the incidents of the clusters the user sees
    "incidents:export": Route(None, page()),
    # The province and city officers record; other roles are sent back (GET) or refused (POST).
    "incidents:create": Route(None, lambda p, m, s: anon_page(p) or (
        ({200} if m == "GET" else WRITE_OK) if p in ("sheng", "jinan", "jining") else (302 if m == "GET" else 403)),
        ("GET", "POST")),
    "incidents:edit": Route("incident", edit(), ("GET", "POST")),  # a county, cluster org: sent back / 403
    "incidents:withdraw": Route("incident", edit(), ("POST",)),  # the empty reason is refused: nothing withdrawn
    "projects:list": Route(None, page()),  # lists only the projects the user sees
    # A chain's Excel: region officers import new chains; who edits a chain imports into it (a read-only role: 403).
    "chain_excel:import_new": Route(None, for_roles(OFFICERS), ("GET", "POST")),
    "chain_excel:template": Route(None, page()),
    "chain_excel:import": Route("chain", edit(), ("GET", "POST")),
    "chain_excel:export": Route("chain", read),  # supply links only for the chain's region
    "projects:create": Route(None, for_roles(OFFICERS), ("GET", "POST")),
    "projects:overdue": Route(None, page()),
    "projects:detail": Route("project", read),
    "projects:edit": Route("project", edit(), ("GET", "POST")),  # a cluster organisation reads: sent back, 403
    "projects:move": Route("project", edit(), ("GET", "POST")),
    "projects:plan": Route("project", edit(), ("GET", "POST")),
    "projects:constraint_raise": Route("project", edit(), ("GET", "POST")),
    "projects:constraint_close": Route("constraint", edit(), ("GET", "POST")),
    "dispatch:index": Route(None, page()),
    # Every persona reads a period's dispatches (it lists only what it sees); only the province opens missing
    # ones: a read-only role is refused (403), another writer sent back with the refusal (302).
    "dispatch:period": Route("period", lambda p, m, s: anon_page(p) or (200 if m == "GET" else 403 if p in READ_ONLY
                                                                        else 302), ("GET", "POST")),
    "dispatch:reminders": Route("period", read),
    "dispatch:progress": Route("period", read),
    # A report names its programme, period and region or cluster in the query: without them, 400 naming each.
    "reports:quarterly": Route(None, page(400)),
    "reports:halfyear": Route(None, page(400)),
    "reports:evaluation": Route("run", lambda p, m, s: anon_page(p) or (404 if s == OUTSIDE else {200, 400})),  # 400: a draft
    "reports:evaluation_pdf": Route("run", lambda p, m, s: anon_page(p) or (404 if s == OUTSIDE else {200, 400})),
    "reports:cluster": Route("cluster", read),  # the cluster one-pager (PDF)
    "reports:quarterly_pdf": Route(None, page(400)),
    # The result notice is the province's document: anyone else 404; the demo round is not yet published (400).
    "reports:notice": Route("call", lambda p, m, s: anon_page(p) or (
        {200, 400} if p == "sheng" and s in (INSIDE, NONE) else 404)),
    # Background jobs: the quarterly report asks (GET) then queues (POST) after checking its parameters (400
    # without them); a period's template is queued for who fills reports, the others are sent back (302). A job
    # is its owner's alone: another user's is a 404 (the matrix's jobs are done, so the download answers).
    "tasks:list": Route(None, page()),  # the user's own jobs only (scoping.background_job_q)
    "tasks:quarterly": Route(None, page(400), ("GET", "POST")),
    "tasks:template": Route("period", lambda p, m, s: anon_page(p) or 302, ("POST",)),
    "tasks:detail": Route("job", read),
    "tasks:status": Route("job", read),
    "tasks:download": Route("job", read),
    "dispatch:detail": Route("dispatch", edit(get_read_only=200), ("GET", "POST")),
    "dispatch:template": Route("period", for_roles(OFFICERS, others=302, ok={200, 302})),  # 302: nothing to file
    # Only who files a dispatch of the period reaches the importer: the matrix's projects are in Rencheng and Jinan.
    "dispatch:upload": Route("period", for_roles(("sheng", "jining", "rencheng", "jinan")), ("GET", "POST")),
    "api:openapi-json": Route(None, public()),  # the interface description holds no data
    "api_docs": Route(None, page()),  # Swagger UI from the platform's own files, behind the login
    "audit:list": Route(None, for_roles(("shenji",))),
    "audit:export": Route(None, for_roles(("shenji",))),
    "audit:verify": Route(None, for_roles(("shenji",))),
    "api:api-root": "the API root answers nothing of its own",
    # The project library's Excel and pipeline (projxl): importing is for region officers; the rest lists only
    # the projects the user sees.
    "projects:import": Route(None, for_roles(OFFICERS), ("GET", "POST")),
    "projects:import_template": Route(None, for_roles(OFFICERS)),
    "projects:export": Route(None, page()),
    "projects:pipeline": Route(None, page()),
    "projects:pipeline_export": Route(None, page()),
    # The chain pages (chpages): a chain is read by who sees it (chain_q); its map is edited by its region
    # officers and its clusters' organisations; supply links are seen and kept by the chain's region only
    # (supply_link_q), so a cluster organisation is sent back from adding one (302) and refused on POST (403).
    "chains:list": Route(None, page()),  # lists only the chains the user sees
    "chains:create": Route(None, for_roles(OFFICERS), ("GET", "POST")),
    "chains:detail": Route("chain", read),
    "chains:edit": Route("chain", edit(), ("GET", "POST")),
    "chains:segment_add": Route("chain", edit(), ("GET", "POST")),
    "chains:download": Route("chain", read),
    "chains:segment": Route("segment", read),
    "chains:segment_download": Route("segment", read),
    "chains:segment_edit": Route("segment", edit(), ("GET", "POST")),
    "chains:segment_retire": Route("segment", edit(), ("GET", "POST")),
    "chains:placement_add": Route("segment", edit(), ("GET", "POST")),
    "chains:link_add": Route("segment", edit(), ("GET", "POST")),
    "chains:placement_remove": Route("placement", edit(), ("POST",)),  # no version: refused, nothing removed
    "chains:link_edit": Route("supply_link", edit(), ("GET", "POST")),
    "chains:link_remove": Route("supply_link", edit(), ("POST",)),
    # The 招引名录 (chprospects): kept by the chain's home region and its clusters' organisations; another city
    # sees none. Without ?segment= the add page sends back to the list; the matrix's bodies are refused.
    "chain_prospects:list": Route(None, page()),
    "chain_prospects:export": Route(None, page()),
    "chain_prospects:add": Route(None, page(302), ("GET", "POST")),
    "chain_prospects:detail": Route("prospect", read),
    "chain_prospects:edit": Route("prospect", edit(), ("POST",)),  # no version: refused, nothing saved
    "chain_prospects:contact": Route("prospect", edit(), ("POST",)),
    "chain_prospects:move": Route("prospect", edit(), ("POST",)),
    "chain_prospects:sign": Route("prospect", edit(), ("POST",)),
    # The Django admin: RoleAdmin opens each model to its roles only and scopes it with for_user. The
    # matrix asks its index and every model's list; object pages answer the admin's own "does not exist".
    "admin:*": Route(None, lambda p, m, s: 302 if p not in STAFF else {200, 403}),
}
STAFF = ("sheng", "xitong", "anquan", "shenji")  # the roles that may log into the admin at all

OPERATIONS: dict[tuple[str, str], Route] = {
    ("GET", "/api/v1/regions"): Route(None, api_read),
    ("GET", "/api/v1/zones"): Route(None, api_read),
    ("GET", "/api/v1/programmes"): Route(None, api_read),
    ("GET", "/api/v1/programmes/{code}"): Route("programme", api_read),
    ("GET", "/api/v1/clusters"): Route(None, api_read),
    ("POST", "/api/v1/clusters"): Route(None, api_write(create=True), body={
        "programme": "SD-2023-185", "code": "matrix", "name": "", "regions": ["370811"]}),
    ("GET", "/api/v1/clusters/{cluster_id}"): Route("cluster", api_read),
    ("PATCH", "/api/v1/clusters/{cluster_id}"): Route("cluster", api_write(), body={"name": ""}),
    ("POST", "/api/v1/clusters/{cluster_id}/proposals"): Route("cluster", api_write(), body={"reason": ""}),
    ("GET", "/api/v1/reviews"): Route(None, api_read),
    ("POST", "/api/v1/reviews/{review_id}/decision"): Route("review", api_write(), body={"outcome": "kept", "basis": ""}),
    ("POST", "/api/v1/reviews/due/{cluster_id}/decision"): Route("cluster", api_write(), body={
        "outcome": "kept", "basis": ""}),
    ("GET", "/api/v1/enterprises"): Route(None, api_read),
    ("POST", "/api/v1/enterprises"): Route(None, api_write(create=True), body={"name": "", "region": "370811"}),
    ("GET", "/api/v1/enterprises/{enterprise_id}"): Route("enterprise", api_read),
    ("PATCH", "/api/v1/enterprises/{enterprise_id}"): Route("enterprise", api_write(), body={"name": None}),
    ("GET", "/api/v1/carriers"): Route(None, api_read),
    ("GET", "/api/v1/periods"): Route(None, api_read),
    ("POST", "/api/v1/periods"): Route(None, api_write(create=True), body={
        "programme": "matrix", "year": 2030, "quarter": 1, "deadline": "2030-04-15"}),  # no such programme: 400
    ("GET", "/api/v1/periods/{period_id}"): Route("period", api_read),
    ("GET", "/api/v1/periods/{period_id}/matrix"): Route("period", api_read),
    ("GET", "/api/v1/reports"): Route(None, api_read),
    ("GET", "/api/v1/reports/{report_id}"): Route("report", api_read),
    ("PUT", "/api/v1/reports/{report_id}/values"): Route("report", api_write(), body={"nonexistent": {}}),
    ("POST", "/api/v1/reports/{report_id}/transitions"): Route("report", api_write(), body={"action": "submit"}),
    ("GET", "/api/v1/reports/{report_id}/corrections"): Route("report", api_read),
    ("POST", "/api/v1/reports/{report_id}/corrections"): Route("report", api_write(), body={
        "changes": {}, "reason": ""}),
    ("POST", "/api/v1/reports/approve-bulk"): Route(None, api_write(create=True), body={"reports": [], "comment": ""}),
    ("POST", "/api/v1/corrections/{correction_id}/decision"): Route("correction", api_write(), body={
        "approve": False, "comment": ""}),
    ("GET", "/api/v1/targets"): Route(None, api_read),
    ("GET", "/api/v1/targets/{target_id}"): Route("target", api_read),
    ("PATCH", "/api/v1/targets/{target_id}"): Route("target", api_write(), body={"reason": ""}),
    ("DELETE", "/api/v1/targets/{target_id}/adjustment"): Route("target", api_write()),
    ("GET", "/api/v1/programmes/{code}/structure"): Route("structure", api_read),
    ("GET", "/api/v1/tasks"): Route(None, api_read),
    ("GET", "/api/v1/tasks/{task_id}"): Route("task", api_read),
    ("POST", "/api/v1/tasks/{task_id}/updates"): Route("task", api_write(), body={"status": "none", "progress": ""}),
    ("GET", "/api/v1/recognition/calls"): Route(None, api_read),
    ("GET", "/api/v1/quality"): Route(None, api_read),  # scores only the reports the caller sees
    ("GET", "/api/v1/recognition/calls/{call_id}"): Route("call", api_read),
    ("GET", "/api/v1/recognition/applications/{application_id}"): Route("application", api_read),
    ("GET", "/api/v1/recognition/assignments"): Route(None, api_read),
    ("POST", "/api/v1/recognition/calls/{call_id}/cancel"): Route("call", api_write(), body={"reason": ""}),
    ("GET", "/api/v1/recognition/applications/{application_id}/attachments"): Route("application", api_read),
    ("POST", "/api/v1/recognition/applications/{application_id}/attachments"): Route("application", api_write()),
    ("GET", "/api/v1/recognition/applications/{application_id}/attachments/{attachment_id}"): Route(
        "attachment", api_read),
    ("DELETE", "/api/v1/recognition/applications/{application_id}/attachments/{attachment_id}"): Route(
        "attachment", api_write()),
    ("POST", "/api/v1/recognition/assignments/{assignment_id}/scores"): Route("assignment", lambda p, m, s: 401 if p == ANON else 404 if s == OUTSIDE else WRITE_OK, body={
        a: {"score": 80} for a in ("basis", "approach", "goals", "tasks", "measures", "safeguards")}),
    ("GET", "/api/v1/checklists"): Route(None, api_read),
    ("POST", "/api/v1/checklists"): Route(None, api_write(create=True), body={
        "programme": "JN-2020-231", "cluster": 1, "chain": 1, "region": "370811"}),  # chain: a registered chain's id
    ("GET", "/api/v1/checklists/{sheet_id}"): Route("checklist", api_read),
    ("GET", "/api/v1/evaluation/schemes"): Route(None, api_read),
    ("GET", "/api/v1/evaluation/runs"): Route(None, api_read),
    ("GET", "/api/v1/evaluation/runs/{run_id}"): Route("run", api_read),
    ("POST", "/api/v1/evaluation/runs"): Route(None, api_write(create=True), body={"scheme": "matrix", "year": 2025}),
    ("POST", "/api/v1/evaluation/runs/{run_id}/publish"): Route("run", api_write()),
    ("POST", "/api/v1/evaluation/schemes/{scheme_id}/copy"): Route("scheme", api_write()),
    ("PATCH", "/api/v1/evaluation/schemes/{scheme_id}"): Route("scheme", api_write(), body={"name": ""}),
    ("GET", "/api/v1/evaluation/ahp/invitations"): Route(None, api_read),
    ("GET", "/api/v1/evaluation/ahp/invitations/{invitation_id}"): Route("invitation", api_read),
    ("PUT", "/api/v1/evaluation/ahp/invitations/{invitation_id}/judgements"): Route("invitation", lambda p, m, s: 401 if p == ANON else 404 if s == OUTSIDE else WRITE_OK, body={"judgements": {}}),
    ("GET", "/api/v1/evaluation/bonus"): Route(None, api_read),
    ("GET", "/api/v1/evaluation/bonus/{claim_id}"): Route("claim", api_read),
    ("POST", "/api/v1/evaluation/bonus"): Route(None, api_write(create=True), body={
        "region": "370811", "year": 2025, "item": "matrix/none", "description": "矩阵测试", "evidence": "矩阵测试"}),
    ("POST", "/api/v1/evaluation/bonus/{claim_id}/decide"): Route("claim", api_write(), body={
        "decision": "matrix", "version": 1}),
    # 现场观摩得分: read with the projects (observation_score_q); only the province writes (others 403).
    ("GET", "/api/v1/evaluation/observations"): Route(None, api_read),
    ("GET", "/api/v1/evaluation/observations/{score_id}"): Route("observation", api_read),
    ("POST", "/api/v1/evaluation/observations"): Route(None, lambda p, m, s: 401 if p == ANON else 400 if p == "sheng" else 403, body={
        "scheme": "matrix", "year": 2026, "project": 1, "observer": "", "score": 50}),  # the empty observer: 400
    ("PATCH", "/api/v1/evaluation/observations/{score_id}"): Route("observation", api_write(), body={"score": 50}),  # no version: 400
    ("DELETE", "/api/v1/evaluation/observations/{score_id}"): Route("observation", api_write()),  # no version: 400
    ("PUT", "/api/v1/checklists/{sheet_id}/items/{item_code}"): Route("checklist_item", api_write(), body={
        "done": True, "evidence": ""}),
    ("GET", "/api/v1/incidents"): Route(None, api_read),
    ("GET", "/api/v1/incidents/{incident_id}"): Route("incident", api_read),
    # Only the province and city officers record (others 403 whatever the cluster); the empty kind is refused.
    ("POST", "/api/v1/incidents"): Route(None, lambda p, m, s: 401 if p == ANON else {400, 404} if p in ("sheng", "jinan", "jining") else 403, body={
        "cluster": 1, "kind": "", "severity": "", "occurred_on": "2025-01-01", "description": "", "document": ""}),
    ("PATCH", "/api/v1/incidents/{incident_id}"): Route("incident", api_write(), body={"version": 1, "description": ""}),
    ("POST", "/api/v1/incidents/{incident_id}/withdraw"): Route("incident", api_write(), body={"reason": "", "version": 1}),
    ("GET", "/api/v1/projects"): Route(None, api_read),
    ("POST", "/api/v1/projects"): Route(None, api_write(create=True), body={
        "name": "", "region": "370811", "total_investment": 1, "kind": "investment"}),  # no name: 400
    ("GET", "/api/v1/projects/overdue"): Route(None, api_read),
    ("GET", "/api/v1/projects/constraints"): Route(None, api_read),
    ("POST", "/api/v1/projects/constraints/{constraint_id}/close"): Route("constraint", api_write(), body={
        "status": "resolved", "decision": ""}),
    ("GET", "/api/v1/projects/{project_id}"): Route("project", api_read),
    ("PATCH", "/api/v1/projects/{project_id}"): Route("project", api_write(), body={"name": ""}),
    ("POST", "/api/v1/projects/{project_id}/stage"): Route("project", api_write(), body={
        "to_stage": "reserve", "reached_on": "2020-01-01"}),  # no version: 400
    ("POST", "/api/v1/projects/{project_id}/plans"): Route("project", api_write(), body={"year": 2030, "planned": 0}),
    ("GET", "/api/v1/projects/{project_id}/constraints"): Route("project", api_read),
    ("POST", "/api/v1/projects/{project_id}/constraints"): Route("project", api_write(), body={
        "kind": "land", "description": "", "responsible_unit": "", "deadline": "2030-01-01"}),
    # No file in the matrix's body: a region officer is told to upload one (400), everyone else may not (403).
    ("POST", "/api/v1/projects/import"): Route(None, api_write(create=True)),
    ("GET", "/api/v1/projects/export"): Route(None, api_read),
    ("GET", "/api/v1/reports/quarterly"): Route(None, lambda p, m, s: 401 if p == ANON else 400),  # no parameters
    ("GET", "/api/v1/reports/halfyear"): Route(None, lambda p, m, s: 401 if p == ANON else 400),
    ("GET", "/api/v1/reports/evaluation/{run_id}"): Route("run", lambda p, m, s: 401 if p == ANON else (
        404 if s == OUTSIDE else {200, 400})),
    ("GET", "/api/v1/reports/cluster/{cluster_id}"): Route("cluster", api_read),
    ("GET", "/api/v1/reports/notice/{call_id}"): Route("call", lambda p, m, s: 401 if p == ANON else (
        {200, 400} if p == "sheng" and s in (INSIDE, NONE) else 404)),
    ("GET", "/api/v1/dispatches"): Route(None, api_read),
    ("GET", "/api/v1/chains"): Route(None, api_read),
    ("POST", "/api/v1/chains/import"): Route(None, api_write(create=True)),  # no file: 400
    ("GET", "/api/v1/chains/{chain_id}"): Route("chain", api_read),
    ("GET", "/api/v1/chains/{chain_id}/gaps"): Route("chain", api_read),
    ("GET", "/api/v1/chains/{chain_id}/local-rate"): Route("chain", api_read),
    ("POST", "/api/v1/chains/{chain_id}/segments"): Route("chain", api_write(), body={
        "code": "", "name": "", "position": "upstream"}),
    ("PATCH", "/api/v1/chains/segments/{segment_id}"): Route("segment", api_write(), body={}),  # no If-Match: 428
    ("POST", "/api/v1/chains/segments/{segment_id}/retire"): Route("segment", api_write(), body={}),  # 428
    ("GET", "/api/v1/chains/{chain_id}/placements"): Route("chain", api_read),
    ("POST", "/api/v1/chains/{chain_id}/placements"): Route("chain", api_write(), body={"segment": ""}),
    # Supply links: "inside" is a chain whose links the persona sees (its home region's officers, the regions
    # above, its 链长); a county that sees a city chain through its cluster, or a cluster organisation, does not.
    ("GET", "/api/v1/chains/{chain_id}/supply-links"): Route("chain_links", api_read),
    ("GET", "/api/v1/chains/{chain_id}/export"): Route("chain", api_read),
    ("POST", "/api/v1/chains/{chain_id}/import"): Route("chain", api_write()),  # no file: 400
    ("GET", "/api/v1/dispatches/{dispatch_id}"): Route("dispatch", api_read),
    ("PUT", "/api/v1/dispatches/{dispatch_id}"): Route("dispatch", api_write(), body={}),  # no If-Match: 428
    ("POST", "/api/v1/dispatches/{dispatch_id}/transitions"): Route("dispatch", api_write(), body={"action": "none"}),
    ("GET", "/api/v1/periods/{period_id}/dispatch-progress"): Route("period", api_read),
    ("GET", "/api/v1/prospects"): Route(None, api_read),
    ("GET", "/api/v1/prospects/{prospect_id}"): Route("prospect", api_read),
    # A segment the persona does not see: 404; one it sees but may not keep: 403; one it keeps: the empty
    # company is refused (400).
    ("POST", "/api/v1/prospects"): Route(None, lambda p, m, s: 401 if p == ANON else {400, 403, 404},
                                         body={"segment": 1, "company_name": ""}),
    ("PATCH", "/api/v1/prospects/{prospect_id}"): Route("prospect", api_write(), body={"priority": ""}),  # no version
    ("POST", "/api/v1/prospects/{prospect_id}/contacts"): Route("prospect", api_write(), body={
        "on": "2025-01-01", "way": "none", "note": ""}),
    ("POST", "/api/v1/prospects/{prospect_id}/move"): Route("prospect", api_write(), body={
        "to_status": "none", "on": "2025-01-01"}),
    ("POST", "/api/v1/prospects/{prospect_id}/sign"): Route("prospect", api_write(), body={"on": "2025-01-01"}),
}


# --- the routes that exist ---------------------------------------------------------------------------

def url_routes() -> list[tuple[str, str]]:
    """Every (URL name, pattern) of the URL configuration, namespaces included."""
    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                found.append((namespace + (pattern.name or ""), prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


def api_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


def page_class(name: str) -> Route | str | None:
    if name in PAGES:
        return PAGES[name]
    if name.startswith("admin:"):
        return PAGES["admin:*"]
    if name.startswith("api:"):
        return "api"  # each of its operations is classified in OPERATIONS
    return None


def unclassified_routes() -> list[str]:
    return [f"{name} ({pattern})" for name, pattern in url_routes() if page_class(name) is None]


def test_every_route_is_classified() -> None:
    unknown = unclassified_routes()
    assert not unknown, "routes the authorisation matrix does not know; classify them in PAGES:\n" + "\n".join(unknown)
    operations = api_operations()
    missing = [f"{m} {p}" for m, p in operations if (m, p) not in OPERATIONS]
    assert not missing, "API operations the matrix does not know; classify them in OPERATIONS:\n" + "\n".join(missing)
    stale = [f"{m} {p}" for m, p in OPERATIONS if (m, p) not in operations]
    assert not stale, "OPERATIONS names operations that no longer exist:\n" + "\n".join(stale)
    names = {name for name, _ in url_routes()}
    stale_pages = [name for name in PAGES if name not in names and name != "admin:*"]
    assert not stale_pages, f"PAGES names routes that no longer exist: {stale_pages}"


# A URL configuration with one route more than the project's, to prove the check above catches it.
urlpatterns = [*project_urlpatterns, url_path("matrix-unknown/<int:pk>/", lambda request, pk: None, name="unknown")]


@pytest.mark.urls(__name__)
def test_a_route_the_matrix_does_not_know_fails_the_check() -> None:
    assert unclassified_routes() == ["unknown (matrix-unknown/<int:pk>/)"]


# --- the objects: one inside and one outside each persona's scope -------------------------------------

def _split(queryset, visible) -> tuple:
    inside = visible.order_by("pk").first()
    outside = queryset.exclude(pk__in=visible.values("pk")).order_by("pk").first()
    return inside, outside


class World:
    """The objects the matrix asks for, and per persona the one inside and the one outside its scope."""

    def __init__(self, users: dict[str, User]) -> None:
        self.users = users
        self.subjects = [(t, s) for t in Target.objects.select_related(
            "programme", "subject_region", "subject_cluster", "subject_zone").order_by("pk")
            for s in target_subjects(t)]
        self.programme = Programme.objects.order_by("pk").first()
        self.period = ReportingPeriod.objects.order_by("pk").first()
        self.indicator = Indicator.objects.order_by("pk").first()
        self._evidence()
        self._proposals()
        self._attachments()
        self._consultation()
        self._dispatches()
        self._chains()
        self._prospects()
        self._comparisons()
        self._jobs()
        self.tokens = {name: self._upload(user) for name, user in users.items()}

    def _evidence(self) -> None:
        """Evidence files on a province-wide task from two cities, and on checklists in two places."""
        pdf = b"%PDF-1.4 matrix"
        for username in ("jinan", "jining"):
            user = self.users[username]
            task = next(t for t in tasks_for(user).filter(programme__scope="province").order_by("pk")
                        if _units(user, t))
            task_update_create(actor=user, task=task, status="in_progress", progress="矩阵测试",
                               evidence_file=SimpleUploadedFile("佐证.pdf", pdf))
        for sheet in ChainChecklist.objects.order_by("pk"):
            checklist_evidence_set(actor=self.users["sheng"], sheet=sheet, item_code="1", done=True,
                                   evidence="矩阵测试", evidence_file=SimpleUploadedFile("佐证.pdf", pdf))

    def _proposals(self) -> None:
        """A pending proposal on a Jinan and on a Jining cluster, each from its city."""
        for username in ("jinan", "jining"):
            user = self.users[username]
            cluster = next(c for c in Cluster.objects.for_user(user).order_by("pk") if can_propose_cluster_change(user, c))
            cluster_proposal_create(actor=user, cluster=cluster, reason="矩阵测试", status="exited")

    def _attachments(self) -> None:
        """A PDF attached to each application of the demo round (closed, so written here directly)."""
        from django.core.files.base import ContentFile

        from jiqun.recognition.models import Application, Attachment

        for application in Application.objects.order_by("pk"):
            attachment = Attachment(application=application, name="矩阵.pdf", kind="pdf", size=9, sha256="0" * 64,
                                    uploaded_by="matrix")
            attachment.file.save(f"matrix{application.pk}.pdf", ContentFile(b"%PDF-1.4\n"), save=True)

    def _consultation(self) -> None:
        """An AHP consultation on an unlocked scheme version, inviting zhuanjia and a second expert."""
        from jiqun.accounts.services import user_create
        from jiqun.evaluation.ahp_services import consultation_open
        from jiqun.evaluation.models import Scheme
        from jiqun.recognition.models import Expert
        from jiqun.recognition.services.experts import expert_create

        first = Expert.objects.get(user__username="zhuanjia")
        account = user_create(actor=None, username="matrix_expert", password="Jiqun@2026matrix", role="expert",
                              region=first.user.region)
        second = expert_create(actor=None, name="矩阵专家", field="矩阵", organisation="矩阵", user=account)
        consultation_open(actor=None, scheme=Scheme.objects.get(code="sd-sei-2020-yearly", version=1),
                          experts=[first, second])
    def _dispatches(self) -> None:
        """A project in Rencheng (济宁) and one in Jinan, each with its dispatch in the matrix's period (a closed
        demo quarter, where no period opening makes them: they are made directly)."""
        from jiqun.projects.models import Dispatch
        from jiqun.projects.services import project_create
        from jiqun.regions.models import Region

        cluster = Cluster.objects.filter(programme=self.period.programme_id).order_by("pk").first()
        for code in ("370811", "370102"):
            project = project_create(actor=self.users["sheng"], clusters=[cluster], name="矩阵测试项目",
                                     region=Region.objects.get(code=code), investor_name="矩阵", total_investment=1000,
                                     kind="investment")
            Dispatch.objects.create(period=self.period, project=project)

    def _chains(self) -> None:
        """A chain with a segment in 济宁 (city), 济南 (city) and 任城区 (county), kept by each region; and a Jining
        chain (on the cluster organisation's cluster) with placements and a supply link, and a Jinan chain
        (jiqun.chains.tests.pages_fixtures)."""
        from jiqun.chains.services import chain_create, segment_add
        from jiqun.chains.tests.pages_fixtures import build
        from jiqun.regions.models import Region

        for code in ("370800", "370100", "370811"):
            chain = chain_create(actor=None, code=f"MATRIX-{code}", name="矩阵测试链", region=Region.objects.get(code=code))
            segment_add(actor=None, chain=chain, code="U1", name="矩阵环节", position="upstream")
        build(code="MATRIX")

    def _prospects(self) -> None:
        """A 招引名录 entry on a missing segment of a Jining chain (of the cluster organisation's cluster) and of
        a Jinan chain."""
        from jiqun.chains.prospect_services import prospect_create
        from jiqun.chains.services import chain_create, segment_add
        from jiqun.regions.models import Region

        for code, region, clusters in (("MATRIX-JNG", "370800", self.users["jiqun_org"].clusters.all()),
                                       ("MATRIX-JNN", "370100", [])):
            chain = chain_create(actor=None, code=code, name="矩阵产业链", region=Region.objects.get(code=region),
                                 clusters=list(clusters))
            segment = segment_add(actor=None, chain=chain, code="U1", name="矩阵环节", position="upstream")
            prospect_create(actor=None, segment=segment, company_name=f"矩阵外地企业{code}")

    def _comparisons(self) -> None:
        """A saved comparison of 链长 (no persona: outside for everyone), then one per persona that can compare."""
        from jiqun.dashboards.compare import indicator_choices, subject_choices, year_choices
        from jiqun.dashboards.selectors import Summaries
        from jiqun.dashboards.services import comparison_save

        programme = Programme.objects.get(code="JN-2020-231")
        for user in (User.objects.get(username="lianzhang"), *self.users.values()):
            summaries = Summaries(user, programme)
            subjects, codes = subject_choices(user, summaries, "cluster"), indicator_choices(summaries)
            if subjects and codes:
                comparison_save(actor=user, name="矩阵对比", programme=programme, kind="cluster",
                                subjects=[subjects[0][0]], indicators=[codes[0][0]], years=year_choices(summaries)[:1])

    def _jobs(self) -> None:
        """A finished background job of 链长 (outside for everyone), then one of each persona."""
        from jiqun.core.services import background_job_finish, background_job_start

        for user in (User.objects.get(username="lianzhang"), *self.users.values()):
            job = background_job_start(actor=user, kind="quarterly", title="矩阵任务", params={})
            background_job_finish(job=job, content=b"matrix", file_name="matrix.docx", content_type="text/plain")

    def _upload(self, user: User) -> str:
        from jiqun.monitoring.views import _result_dir

        token = f"matrix{user.pk}"
        (_result_dir(user) / f"{token}.xlsx").write_bytes(b"matrix")
        return token

    def pair(self, kind: str | None, persona: str) -> dict[str, object]:
        """The URL arguments for the objects inside and outside the persona's scope (absent when none)."""
        if kind is None:
            return {NONE: None}
        if kind in ("programme", "period", "indicator"):
            return {NONE: getattr(self, kind)}
        user = self.users.get(persona)
        if user is None:  # anonymous: any object will do, it never gets that far
            user = self.users["sheng"]
        inside, outside = self._objects(kind, user, persona)
        return {k: v for k, v in ((INSIDE, inside), (OUTSIDE, outside)) if v is not None}

    def _objects(self, kind: str, user: User, persona: str) -> tuple:
        if kind == "job":
            from jiqun.core.models import BackgroundJob

            mine = BackgroundJob.objects.filter(title="矩阵任务")  # not a job another test left, whose file is gone
            return _split(mine, mine.for_user(user))
        if kind == "comparison":
            from jiqun.dashboards.models import SavedComparison

            return _split(SavedComparison.objects.all(), SavedComparison.objects.for_user(user))
        if kind == "figure":
            from jiqun.dashboards.models import FigureSummary

            return _split(FigureSummary.objects.all(), FigureSummary.objects.for_user(user))
        if kind == "region_overview":
            from jiqun.accounts.scoping import sees_region_totals
            from jiqun.regions.models import Region

            codes = list(Region.objects.order_by("code").values_list("code", flat=True))
            return (next((c for c in codes if sees_region_totals(user, c)), None),
                    next((c for c in codes if not sees_region_totals(user, c)), None))
        if kind == "cluster":
            return _split(Cluster.objects.all(), Cluster.objects.for_user(user))
        if kind == "enterprise":
            return _split(Enterprise.objects.all(), Enterprise.objects.for_user(user))
        if kind == "report":
            return _split(Report.objects.all(), Report.objects.for_user(user))
        if kind == "proposal":
            everything = ClusterProposal.objects.all()
            return _split(everything, everything.filter(cluster__in=Cluster.objects.for_user(user)))
        if kind == "review":
            return _split(Review.objects.all(), Review.objects.for_user(user))
        if kind == "correction":
            everything = CorrectionRequest.objects.all()
            return _split(everything, everything.filter(report__in=Report.objects.for_user(user)))
        if kind == "task":
            from jiqun.programmes.models import Task

            return _split(Task.objects.all(), tasks_for(user))
        if kind == "task_update":
            with_file = TaskUpdate.objects.exclude(evidence_file="")
            return _split(with_file, with_file.filter(pk__in=TaskUpdate.objects.for_user(user).values("pk")))
        if kind in ("checklist", "checklist_item"):
            return _split(ChainChecklist.objects.all(), ChainChecklist.objects.for_user(user))
        if kind == "checklist_evidence":
            with_file = ChecklistEvidence.objects.exclude(evidence_file="")
            return _split(with_file, with_file.filter(pk__in=ChecklistEvidence.objects.for_user(user).values("pk")))
        if kind in ("target", "subject"):
            visible = Visibility(user)
            inside = next((ts for ts in self.subjects if visible.subject(ts[1])), None)
            outside = next((ts for ts in self.subjects if not visible.subject(ts[1])), None)
            return inside, outside
        if kind == "structure":
            visible = Visibility(user)
            programmes = list(Programme.objects.order_by("pk"))
            return (next((p for p in programmes if visible.programme_totals(p)), None),
                    next((p for p in programmes if not visible.programme_totals(p)), None))
        if kind in ("run", "scheme"):
            from jiqun.evaluation.models import Run, Scheme

            model = Run if kind == "run" else Scheme
            return _split(model.objects.all(), model.objects.for_user(user))
        if kind == "attachment":
            from jiqun.recognition.models import Attachment

            return _split(Attachment.objects.all(), Attachment.objects.for_user(user))
        if kind in ("consultation", "invitation"):
            from jiqun.evaluation.models import AhpConsultation, AhpInvitation

            model = AhpConsultation if kind == "consultation" else AhpInvitation
            return _split(model.objects.all(), model.objects.for_user(user))
        if kind == "observation":
            from jiqun.evaluation.models import ObservationScore

            return _split(ObservationScore.objects.all(), ObservationScore.objects.for_user(user))
        if kind == "claim":
            from jiqun.evaluation.models import BonusClaim

            return _split(BonusClaim.objects.all(), BonusClaim.objects.for_user(user))
        if kind in ("call", "application", "assignment"):
            from jiqun.recognition.models import Application, Assignment, Call

            model = {"call": Call, "application": Application, "assignment": Assignment}[kind]
            return _split(model.objects.all(), model.objects.for_user(user))
        if kind == "incident":
            from jiqun.incidents.models import Incident

            return _split(Incident.objects.all(), Incident.objects.for_user(user))
        if kind in ("project", "constraint"):
            from jiqun.projects.models import Constraint, Project

            model = Project if kind == "project" else Constraint
            return _split(model.objects.all(), model.objects.for_user(user))
        if kind == "prospect":
            from jiqun.chains.models import Prospect

            return _split(Prospect.objects.all(), Prospect.objects.for_user(user))
        if kind == "dispatch":
            from jiqun.projects.models import Dispatch

            return _split(Dispatch.objects.all(), Dispatch.objects.for_user(user))
        if kind == "chain_links":
            from jiqun.accounts.scoping import sees_supply_links
            from jiqun.chains.models import Chain

            seen = [c.pk for c in Chain.objects.for_user(user) if sees_supply_links(user, c)]
            return _split(Chain.objects.all(), Chain.objects.filter(pk__in=seen))
        if kind in ("chain", "segment", "placement", "supply_link"):
            from jiqun.chains.models import Chain, Placement, Segment, SupplyLink

            model = {"chain": Chain, "segment": Segment, "placement": Placement, "supply_link": SupplyLink}[kind]
            return _split(model.objects.all(), model.objects.for_user(user))
        if kind == "upload":
            other = next(n for n in self.tokens if n != persona)
            return self.tokens.get(persona), self.tokens[other]
        raise AssertionError(f"the matrix has no objects of kind {kind}")


def _units(user: User, task) -> list[str]:
    from jiqun.targets.permissions import task_units

    return task_units(user, task)


# --- the URLs ----------------------------------------------------------------------------------------

def page_url(name: str, pattern: str, kind: str | None, obj) -> str:
    """The pattern with the object's identifiers filled in."""
    url = "/" + pattern
    if kind in ("target", "subject"):
        target, subject = obj
        if kind == "subject":
            return f"/targets/subject/{subject.kind}/{subject.key or '-'}/"
        return f"/targets/{target.pk}/{subject.query}"
    if kind == "upload":
        return url.replace("<str:token>", obj)
    if kind == "region_overview":
        return url.replace("<region:code>", obj)
    if obj is None:
        return url.replace("<str:name>", "shandong")  # dashboards:map, the province map file
    key = obj.code if kind == "programme" else obj.pk
    for placeholder in ("<int:pk>", "<str:code>", "<uuid:pk>"):
        url = url.replace(placeholder, str(key))
    return url.replace("<str:decision>", "reject").replace("<str:what>", "map")


def api_url(path: str, kind: str | None, obj) -> str:
    if kind is None:
        return path
    if kind == "target":
        target, subject = obj
        query = subject.query if target.subject_ref == "*" else ""
        return path.replace("{target_id}", str(target.pk)) + query
    if kind in ("programme", "structure"):
        return path.replace("{code}", obj.code)
    if kind == "checklist_item":
        return path.replace("{sheet_id}", str(obj.pk)).replace("{item_code}", "1")
    if kind == "attachment":
        return path.replace("{application_id}", str(obj.application_id)).replace("{attachment_id}", str(obj.pk))
    key = str(obj.pk)
    for placeholder in ("{cluster_id}", "{enterprise_id}", "{period_id}", "{report_id}", "{correction_id}",
                        "{review_id}", "{task_id}", "{sheet_id}", "{run_id}",
                        "{call_id}", "{application_id}", "{assignment_id}", "{scheme_id}", "{invitation_id}",
                        "{claim_id}", "{incident_id}", "{score_id}",
                        "{project_id}", "{constraint_id}", "{dispatch_id}", "{chain_id}", "{segment_id}",
                        "{prospect_id}"):
        path = path.replace(placeholder, key)
    return path


# --- the matrix --------------------------------------------------------------------------------------

@pytest.fixture
def matrix_users(db) -> dict[str, User]:
    return {name: User.objects.get(username=name) for name in PERSONAS if name != ANON}


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield settings.MEDIA_ROOT
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def _status(client: Client, method: str, url: str, body: dict | None, *, api_call: bool) -> int:
    if method == "GET":
        return client.get(url).status_code
    if api_call:
        return client.generic(method, url, data=json.dumps(body or {}),
                              content_type="application/json").status_code
    return client.post(url, body or {}).status_code


def _matches(expected: int | set[int], got: int) -> bool:
    return got in expected if isinstance(expected, set) else got == expected


def test_the_authorisation_matrix(matrix_users, media, capsys) -> None:
    world = World(matrix_users)
    pages = {name: pattern for name, pattern in url_routes()}
    page_clients = {name: client_for(user) for name, user in matrix_users.items()} | {ANON: Client()}
    api_clients = {name: token_client(user) for name, user in matrix_users.items()} | {ANON: Client()}
    cells: Counter = Counter()
    wrong: list[str] = []

    def check(persona: str, method: str, url: str, scope: str, route: Route, *, api_call: bool) -> None:
        expected = route.rule(persona, method, scope)
        if expected is None:
            return
        got = _status((api_clients if api_call else page_clients)[persona], method, url, route.body,
                      api_call=api_call)
        cells[(scope, got)] += 1
        if not _matches(expected, got):
            wrong.append(f"{persona:9} {method:6} {url} [{scope}] expected {expected}, got {got}")

    for (method, path), route in OPERATIONS.items():
        for persona in PERSONAS:
            for scope, obj in world.pair(route.kind, persona).items():
                check(persona, method, api_url(path, route.kind, obj), scope, route, api_call=True)

    admin_pages = [(n, PAGES["admin:*"]) for n in pages if n == "admin:index" or n.endswith("_changelist")]
    ordered = sorted([*PAGES.items(), *admin_pages],
                     key=lambda item: isinstance(item[1], Route) and item[1].own_session)
    for name, route in ordered:
        if not isinstance(route, Route) or name == "admin:*":
            continue
        for persona in PERSONAS:
            for scope, obj in world.pair(route.kind, persona).items():
                url = page_url(name, pages[name], route.kind, obj)
                for method in route.methods:
                    check(persona, method, url, scope, route, api_call=False)
    total = sum(cells.values())
    with capsys.disabled():
        print(f"\nauthorisation matrix: {total} cells ({len(PAGES)} page routes, {len(OPERATIONS)} API operations, "
              f"{len(PERSONAS)} personas); by scope and status: {dict(sorted(cells.items()))}; "
              f"{len(wrong)} unexpected")
    assert not wrong, f"{len(wrong)} of {total} cells answer other than designed:\n" + "\n".join(wrong)


# --- the design itself: what each persona sees at all --------------------------------------------------

def _visible_kinds(user: User) -> set[str]:
    from jiqun.regions.selectors import visible_regions

    counts = {
        "cluster": Cluster.objects.for_user(user).exists(),
        "enterprise": Enterprise.objects.for_user(user).exists(),
        "report": Report.objects.for_user(user).exists(),
        "zone": Zone.objects.for_user(user).exists(),
        "region": visible_regions(user).exists(),
        "task": tasks_for(user).exists(),
        "task_update": TaskUpdate.objects.for_user(user).exists(),
        "checklist": ChainChecklist.objects.for_user(user).exists(),
        "target": Visibility(user).cluster_ids != set() or Visibility(user).zone_ids != set() or Visibility(user).regional,
    }
    return {kind for kind, seen in counts.items() if seen}


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != ANON])
def test_each_persona_sees_exactly_the_kinds_designed_for_it(persona: str) -> None:
    assert _visible_kinds(User.objects.get(username=persona)) == SEES[persona]


def test_the_enterprise_reporter_sees_its_enterprise_and_its_reports_only() -> None:
    qiye = User.objects.get(username="qiye")
    assert list(Enterprise.objects.for_user(qiye)) == [qiye.enterprise]
    assert set(Report.objects.for_user(qiye)) == set(Report.objects.filter(enterprise=qiye.enterprise_id))
    assert not Cluster.objects.for_user(qiye).exists()
    assert set(Zone.objects.for_user(qiye)) <= ({qiye.enterprise.zone} - {None})
    visible = Visibility(qiye)
    assert not visible.regional and visible.cluster_ids == set() and visible.zone_ids == set()  # no targets


def test_the_cluster_organisation_sees_its_clusters_and_what_belongs_to_them() -> None:
    org = User.objects.get(username="jiqun_org")
    mine = set(org.clusters.values_list("pk", flat=True))
    assert set(Cluster.objects.for_user(org).values_list("pk", flat=True)) == mine
    for report in Report.objects.for_user(org).select_related("enterprise"):
        assert report.cluster_id in mine or report.enterprise.memberships.filter(cluster__in=mine).exists()
    zones = set(Zone.objects.filter(clusters__in=mine).values_list("pk", flat=True))
    assert Visibility(org).zone_ids == zones
    parks = [s for t in Target.objects.filter(subject_kind="park") for s in target_subjects(t)]
    assert all(int(s.key) in zones for s in parks if Visibility(org).subject(s))
