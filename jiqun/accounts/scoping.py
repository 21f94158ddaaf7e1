"""Who may see what: the one place that turns a user into a filter.

Every `for_user` queryset in the project is built from the `*_q` functions here, one per model family:

- region officers (province, city, county) and leaders see everything inside their region (a GB/T 2260
  code prefix, computed only by `jiqun.regions.models`);
- a cluster organisation, and a leader who is a chain chief (群长/链长, a leader with assigned clusters),
  sees its clusters and what belongs to them: their members, reports, targets, parks and checklists;
- an enterprise reporter sees its own enterprise and that enterprise's reports, nothing else;
- experts see no registry data: only the recognition applications assigned to them (and their calls), and
  the three admin roles (三员分立) see no business data at all.

A function returns a `Q` for the model named in its name; `prefix` is the path from the filtered model to
that model ("task__" to filter task updates by their task), so one rule serves every query.
"""

from django.apps import apps
from django.db.models import Q

from jiqun.accounts.models import ADMIN_ROLES, REGION_ROLES, Role
from jiqun.regions.models import PROVINCE_CODE, ancestor_codes, city_code, is_within, scope_prefix

NOTHING = Q(pk__in=[])


def _nothing(prefix: str) -> Q:
    return Q(**{f"{prefix}pk__in": []})


def _blind(user) -> bool:
    """Roles that see no registry data: anonymous, the three admins, and experts (whose scope is their
    recognition assignments: `call_q`, `application_q`, `assignment_q`)."""
    return not user.is_authenticated or user.role in ADMIN_ROLES or user.role == Role.EXPERT


def by_clusters(user) -> bool:
    """Whether the user's scope is a set of clusters: a cluster organisation or a chain chief."""
    if not user.is_authenticated:
        return False
    return user.role == Role.CLUSTER_ORG or (user.role == Role.LEADER and user.clusters.exists())


def visible_prefix(user) -> str | None:
    """Return the region-code prefix the user sees, or None when its scope is not a region."""
    if _blind(user) or user.role not in REGION_ROLES or user.region_id is None or by_clusters(user):
        return None
    return scope_prefix(user.region_id)


def region_within(user, region_code: str) -> bool:
    """Whether a region lies inside the user's own region."""
    return visible_prefix(user) is not None and is_within(region_code, user.region_id)


def region_q(user, field: str) -> Q:
    """Rows whose region (the field path to a Region) lies inside the user's region."""
    prefix = visible_prefix(user)
    if prefix is None:
        return NOTHING
    return Q(**{f"{field}__code__startswith": prefix})


def _assigned_cluster_ids(user):
    return user.clusters.values("pk")


def cluster_q(user, prefix: str = "") -> Q:
    """Clusters the user may see."""
    if _blind(user) or user.role == Role.ENTERPRISE_REPORTER:
        return _nothing(prefix)
    if by_clusters(user):
        return Q(**{f"{prefix}pk__in": _assigned_cluster_ids(user)})
    return region_q(user, f"{prefix}regions")


def visible_cluster_ids(user):
    """A subquery of the pks of the clusters the user may see (for filters across a many-to-many)."""
    return apps.get_model("clusters", "Cluster").objects.filter(cluster_q(user)).values("pk")


def enterprise_q(user, prefix: str = "") -> Q:
    """Enterprises the user may see."""
    if _blind(user):
        return _nothing(prefix)
    if user.role == Role.ENTERPRISE_REPORTER:
        return Q(**{f"{prefix}pk": user.enterprise_id}) if user.enterprise_id else _nothing(prefix)
    if by_clusters(user):
        return Q(**{f"{prefix}memberships__cluster__in": _assigned_cluster_ids(user)})
    return region_q(user, f"{prefix}region")


def visible_enterprise_ids(user):
    """A subquery of the pks of the enterprises the user may see."""
    return apps.get_model("enterprises", "Enterprise").objects.filter(enterprise_q(user)).values("pk")


def region_row_q(user) -> Q:
    """Regions (the Region rows) the user may see: its region and below, or where its clusters or
    enterprise lie."""
    if _blind(user):
        return NOTHING
    if user.role == Role.ENTERPRISE_REPORTER:
        return Q(enterprises=user.enterprise_id) if user.enterprise_id else NOTHING
    if by_clusters(user):
        return Q(clusters__in=_assigned_cluster_ids(user))
    prefix = visible_prefix(user)
    return NOTHING if prefix is None else Q(code__startswith=prefix)


def zone_q(user) -> Q:
    """Development zones (parks) the user may see: inside its region, of its clusters, or its enterprise's."""
    if _blind(user):
        return NOTHING
    if user.role == Role.ENTERPRISE_REPORTER:
        return Q(enterprises=user.enterprise_id) if user.enterprise_id else NOTHING
    if by_clusters(user):
        return Q(clusters__in=_assigned_cluster_ids(user))
    return region_q(user, "region")


def target_zone_q(user) -> Q:
    """Parks whose targets (目标 of 每个园区) the user sees: those of zone_q, but not an enterprise reporter's
    own park, which it sees only to keep its enterprise's record."""
    if user.is_authenticated and user.role == Role.ENTERPRISE_REPORTER:
        return NOTHING
    return zone_q(user)


def carrier_q(user) -> Q:
    """Innovation carriers the user may see: inside its region, of its clusters, or hosted by its enterprise."""
    if _blind(user):
        return NOTHING
    if user.role == Role.ENTERPRISE_REPORTER:
        return Q(host=user.enterprise_id) if user.enterprise_id else NOTHING
    if by_clusters(user):
        return Q(cluster__in=_assigned_cluster_ids(user))
    return region_q(user, "region")


def report_q(user, prefix: str = "") -> Q:
    """Statistics reports the user may see: those of the clusters and enterprises it may see, and the
    综合表 (region reports) of its own region and the regions below it, for a province or city officer or a
    leader. A county officer does not see its city's 综合表 (the city's own figures), nor a city the
    province's; cluster organisations and enterprise reporters see none."""
    if _blind(user):
        return _nothing(prefix)
    seen = (Q(**{f"{prefix}cluster__in": visible_cluster_ids(user)})
            | Q(**{f"{prefix}enterprise__in": visible_enterprise_ids(user)}))
    if user.role == Role.COUNTY_OFFICER:
        return seen
    return seen | region_q(user, f"{prefix}region")


def task_q(user, prefix: str = "") -> Q:
    """Tasks the user may see: a province programme's by every region officer; a city programme's by the
    officers inside that city and by the province. `prefix` is the path to the Task."""
    if visible_prefix(user) is None:
        return _nothing(prefix)
    code = user.region_id
    province_wide = Q(**{f"{prefix}programme__scope": "province"})
    inside_city = Q(**{f"{prefix}programme__scope_region__code": city_code(code)})
    above_city = Q(**{f"{prefix}programme__scope_region__code__startswith": scope_prefix(code)})
    return province_wide | (Q(**{f"{prefix}programme__scope": "city"}) & (inside_city | above_city))


def task_update_q(user) -> Q:
    """Task updates (and their evidence files) the user may see: of a task it sees, reported from inside
    its region, from a region above it (the province's own report on its task), or by itself.
    A Jinan officer does not read Jining's evidence on a province-wide task."""
    prefix = visible_prefix(user)
    if prefix is None:
        return NOTHING
    reported_here = Q(region__code__startswith=prefix) | Q(region__code__in=ancestor_codes(user.region_id))
    if user.region_id == PROVINCE_CODE:
        reported_here |= Q(region__isnull=True)  # written before updates recorded their region
    return task_q(user, "task__") & (reported_here | Q(reported_by=user))


def checklist_q(user, prefix: str = "") -> Q:
    """Chain checklists the user may see: run inside its region, or of its clusters."""
    if _blind(user) or user.role == Role.ENTERPRISE_REPORTER:
        return _nothing(prefix)
    if by_clusters(user):
        return Q(**{f"{prefix}cluster__in": _assigned_cluster_ids(user)})
    return region_q(user, f"{prefix}region")


def checklist_evidence_q(user) -> Q:
    """Checklist evidence (and its files) the user may see: that of the checklists it sees."""
    return checklist_q(user, "sheet__")


def review_q(user, prefix: str = "") -> Q:
    """Reviews (复核) the user may see: those of the clusters it sees; only the province decides them."""
    return Q(**{f"{prefix}cluster__in": visible_cluster_ids(user)})


def evaluation_scheme_q(user) -> Q:
    """Evaluation schemes are published rules: every business role may read them; the admins see none."""
    return NOTHING if _blind(user) or user.role == Role.ENTERPRISE_REPORTER else Q()


def evaluation_run_q(user, prefix: str = "") -> Q:
    """Evaluation runs: the province admin sees drafts and published runs; every other role that sees
    clusters sees published runs only (and in them only the rows of evaluation_row_q)."""
    if _blind(user) or user.role == Role.ENTERPRISE_REPORTER:
        return _nothing(prefix)
    if user.role == Role.PROVINCE_ADMIN:
        return Q()
    return Q(**{f"{prefix}status": "published"})


def evaluation_row_q(user) -> Q:
    """A run's rows: those of the clusters the user sees (all for the province and a province-wide leader,
    its own clusters for a city, county, cluster organisation or chain chief), of a region run those of
    the regions inside the user's region (a city its own and its counties', a county its own; cluster
    organisations and experts none), and of a project run (观摩评比) those of the projects it sees (project_q),
    of runs it sees."""
    return evaluation_run_q(user, "run__") & (cluster_q(user, "cluster__") | region_q(user, "region")
                                              | project_q(user, "project__"))


def observation_score_q(user) -> Q:
    """On-site 观摩 scores of projects: those of the projects the user sees (project_q)."""
    return project_q(user, "project__")


def bonus_claim_q(user) -> Q:
    """Bonus claims (加分事项) of regions: those of the regions inside the user's region (the province all, a city
    its own and its counties', a county its own); cluster organisations, enterprises and experts none."""
    return region_q(user, "region")


# --- 赛马 recognition rounds (jiqun.recognition) -------------------------------------------------------

def _sees_rounds(user) -> bool:
    return user.is_authenticated and user.role in REGION_ROLES | {Role.CLUSTER_ORG}


def call_q(user) -> Q:
    """Recognition calls the user may see: the province every one; region officers, leaders and cluster
    organisations the published ones (a call is a public notice); an expert those it has an assignment in."""
    if not user.is_authenticated:
        return NOTHING
    if user.role == Role.PROVINCE_ADMIN:
        return Q()
    if user.role == Role.EXPERT:
        return Q(applications__assignments__expert__user=user)
    if _sees_rounds(user):
        # A call cancelled before anyone applied was never of concern to anyone but the province.
        return ~Q(status="draft") & ~Q(status="cancelled", applications__isnull=True)
    return NOTHING


def application_q(user, prefix: str = "") -> Q:
    """Recognition applications the user may see: the province every one; an expert those assigned to it;
    region officers, leaders and cluster organisations those of the clusters they see."""
    if not user.is_authenticated:
        return _nothing(prefix)
    if user.role == Role.PROVINCE_ADMIN:
        return Q()
    if user.role == Role.EXPERT:
        return Q(**{f"{prefix}assignments__expert__user": user})
    if _sees_rounds(user):
        return Q(**{f"{prefix}cluster__in": visible_cluster_ids(user)})
    return _nothing(prefix)


def assignment_q(user) -> Q:
    """Expert assignments (with their scores) the user may see: the province all, an expert its own."""
    if not user.is_authenticated:
        return NOTHING
    if user.role == Role.PROVINCE_ADMIN:
        return Q()
    if user.role == Role.EXPERT:
        return Q(expert__user=user)
    return NOTHING


def attachment_q(user) -> Q:
    """Attachments of recognition applications: whoever sees the application sees its files (the province,
    the officers above its cluster, the cluster organisation, the experts assigned to it)."""
    return application_q(user, "application__")


# --- The major-project library (jiqun.projects) ---------------------------------------------------------

def project_q(user, prefix: str = "") -> Q:
    """Projects the user may see: region officers and leaders those inside their region (a county its own, a
    city its counties', the province all); a cluster organisation or chain chief those of its clusters.
    Enterprise reporters, experts and the admins see none."""
    if _blind(user) or user.role == Role.ENTERPRISE_REPORTER:
        return _nothing(prefix)
    if by_clusters(user):
        return Q(**{f"{prefix}clusters__in": _assigned_cluster_ids(user)})
    return region_q(user, f"{prefix}region")


def project_constraint_q(user) -> Q:
    """Constraints (要素制约) the user may see: those of the projects it sees."""
    return project_q(user, "project__")


# --- AHP consultations of evaluation schemes (jiqun.evaluation) ------------------------------------------

def ahp_consultation_q(user) -> Q:
    """AHP consultations: the province every one; an expert those it is invited to; nobody else."""
    if not user.is_authenticated:
        return NOTHING
    if user.role == Role.PROVINCE_ADMIN:
        return Q()
    if user.role == Role.EXPERT:
        return Q(invitations__expert__user=user)
    return NOTHING


def ahp_invitation_q(user) -> Q:
    """Invitations with their judgements: the province every one; an expert only its own."""
    if not user.is_authenticated:
        return NOTHING
    if user.role == Role.PROVINCE_ADMIN:
        return Q()
    if user.role == Role.EXPERT:
        return Q(expert__user=user)
    return NOTHING


# --- the incident register (jiqun.incidents) ------------------------------------------------------------

def incident_q(user, prefix: str = "") -> Q:
    """Incidents (事故与失信记录) the user may see: those of the clusters it sees — the province and its
    leader all, a city or county officer those of clusters in its region, a cluster organisation its own.
    Enterprise reporters, experts and the three admins see none."""
    return Q(**{f"{prefix}cluster__in": visible_cluster_ids(user)})


# --- quarterly project dispatch (jiqun.projects) ---------------------------------------------------------

def dispatch_q(user, prefix: str = "") -> Q:
    """Quarterly dispatches (项目调度) the user may see: those of the projects it sees, as one subquery so that a
    project in two of a cluster organisation's clusters is one row."""
    Project = apps.get_model("projects", "Project")
    return Q(**{f"{prefix}project__in": Project.objects.filter(project_q(user)).values("pk")})


# --- industry chains (jiqun.chains) -----------------------------------------------------------------------

def _chain_home_q(user, prefix: str) -> Q:
    """Chains whose home region lies inside the user's region, and the chains the user is 链长 of."""
    if _blind(user) or user.role == Role.ENTERPRISE_REPORTER:
        return _nothing(prefix)
    chief = Q(**{f"{prefix}chief": user})
    region_prefix = visible_prefix(user)
    if region_prefix is None:
        return chief
    return chief | Q(**{f"{prefix}region__code__startswith": region_prefix})


def chain_q(user, prefix: str = "") -> Q:
    """Chains the user may see: those of its region (a city's, its counties'), those serving a cluster it sees
    (so a county sees the city chain its cluster is on), and those it is 链长 of. A cluster organisation or a
    chain chief with assigned clusters sees its clusters' chains. Enterprise reporters, experts and the admins
    see none. The map of a chain (segments, who is placed on them) is not sensitive; its supply links are."""
    if _blind(user) or user.role == Role.ENTERPRISE_REPORTER:
        return _nothing(prefix)
    return _chain_home_q(user, prefix) | Q(**{f"{prefix}clusters__in": visible_cluster_ids(user)})


def visible_chain_ids(user):
    """A subquery of the pks of the chains the user may see."""
    return apps.get_model("chains", "Chain").objects.filter(chain_q(user)).values("pk")


def segment_q(user, prefix: str = "") -> Q:
    """Segments of the chains the user sees."""
    return Q(**{f"{prefix}chain__in": visible_chain_ids(user)})


def placement_q(user) -> Q:
    """Enterprises and outside companies placed on the segments the user sees."""
    return segment_q(user, "segment__")


def outside_company_q(user) -> Q:
    """Outside companies (外地企业) are shared records of public company facts, so that two cities do not keep two
    copies of one company: every business role that sees chains sees them. Enterprise reporters, experts and
    the admins see none."""
    if _blind(user) or user.role == Role.ENTERPRISE_REPORTER:
        return NOTHING
    return Q()


def supply_link_q(user) -> Q:
    """Supply links (amounts between enterprises) are sensitive: only the chain's home region (its officers, and
    those of the regions above it up to the province) and the chain's 链长 see them. Another city, a county
    below a city chain, a cluster organisation and everyone else see none."""
    return _chain_home_q(user, "segment__chain__")


def prospect_q(user, prefix: str = "") -> Q:
    """招引名录 entries: kept by the chain's home region; cities compete for the same companies, so another city
    sees none. The chain's 链长 and the organisations of the clusters the chain serves see them too."""
    home = _chain_home_q(user, f"{prefix}segment__chain__")
    if _blind(user) or not by_clusters(user):
        return home
    return home | Q(**{f"{prefix}segment__chain__clusters__in": _assigned_cluster_ids(user)})


def sees_supply_links(user, chain) -> bool:
    """Whether the user may see a chain's supply links and what is derived from them row by row (who bought
    what from whom, for how much): the rule of `supply_link_q`, for one chain."""
    Chain = apps.get_model("chains", "Chain")
    return Chain.objects.filter(_chain_home_q(user, ""), pk=chain.pk).exists()


def figure_summary_q(user) -> Q:
    """Dashboard figures (jiqun.dashboards.FigureSummary) the user may see: a cluster's for who sees the cluster;
    a region's or a park's total, which sums every cluster inside, only for region users at or above it; a
    cluster organisation or a chain chief sees its clusters' own figures, not the totals of a region."""
    if _blind(user) or user.role == Role.ENTERPRISE_REPORTER:
        return NOTHING
    if by_clusters(user):
        return Q(kind="cluster", cluster__in=_assigned_cluster_ids(user))
    prefix = visible_prefix(user)
    if prefix is None:
        return NOTHING
    return (Q(kind="cluster", cluster__in=visible_cluster_ids(user)) | Q(kind="region", region__code__startswith=prefix)
            | Q(kind="zone", zone__region__code__startswith=prefix))


def saved_comparison_q(user) -> Q:
    """Saved comparisons (jiqun.dashboards.SavedComparison): a user sees, opens and deletes only its own."""
    if not user.is_authenticated:
        return NOTHING
    return Q(owner=user.pk)


def sees_region_totals(user, region_code: str) -> bool:
    """Whether the user may see the totals of a region (a city's or the province's overview)."""
    return not by_clusters(user) and region_within(user, region_code)


def background_job_q(user) -> Q:
    """Background jobs (jiqun.core.BackgroundJob): a user sees, polls and downloads only the jobs it started."""
    if not user.is_authenticated:
        return NOTHING
    return Q(owner=user.pk)


def report_fill_q(user) -> Q:
    """The reports the user keeps (fills), as a filter: the rule of monitoring.permissions.keeps_report (an
    enterprise reporter its enterprise's, a cluster organisation its clusters', a region officer those of the
    enterprises and the clusters wholly inside its region and its own region's 综合表), in one query."""
    from jiqun.clusters.models import Cluster
    from jiqun.regions.models import Region

    none = NOTHING
    if not user.is_authenticated:
        return none
    if user.role == Role.ENTERPRISE_REPORTER:
        return Q(enterprise_id=user.enterprise_id) if user.enterprise_id else none
    if user.role == Role.CLUSTER_ORG:
        return Q(cluster__in=user.clusters.values("pk"))
    if user.role not in (Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER):
        return none
    prefix = visible_prefix(user)
    if prefix is None:
        return none
    outside = Region.objects.exclude(code__startswith=prefix)
    kept = Cluster.objects.filter(regions__code__startswith=prefix).exclude(regions__in=outside).values("pk")
    q = Q(cluster__in=kept) | Q(enterprise__region__code__startswith=prefix)
    if user.role == Role.CITY_OFFICER and user.region_id != PROVINCE_CODE:
        q |= Q(region_id=user.region_id)
    elif user.role == Role.PROVINCE_ADMIN:
        q |= Q(region_id=PROVINCE_CODE)
    return q
