"""The demo province: the real clusters, enterprises and targets of the seed documents, demo users
for every role, and a few clearly labelled generated figures where the documents give none."""

import random
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

from jiqun.accounts.models import Role, User
from jiqun.accounts.services import user_create
from jiqun.clusters.models import Cluster
from jiqun.enterprises.models import CarrierKind, Enterprise, EnterpriseScale, Honour, HonourKind, Source
from jiqun.enterprises.services import carrier_create
from jiqun.programmes.packs import indicators_parse, pack_files, pack_parse
from jiqun.programmes.services import indicators_install, pack_install
from jiqun.regions.models import Region
from jiqun.regions.services import regions_load

DEMO_SEED = 2026

# username, role, region code, full name, organisation
DEMO_USERS = [
    ("sheng", Role.PROVINCE_ADMIN, "370000", "省级管理员（演示）", "山东省工业和信息化厅"),
    # The demo's statistics are submitted by these two and approved by sheng and jining (填报与审核分离).
    ("sheng_tj", Role.PROVINCE_ADMIN, "370000", "省级统计填报员（演示）", "山东省工业和信息化厅"),
    ("jinan", Role.CITY_OFFICER, "370100", "济南市用户（演示）", "济南市工业和信息化局"),
    ("jining", Role.CITY_OFFICER, "370800", "济宁市用户（演示）", "济宁市工业和信息化局"),
    ("jining_tj", Role.CITY_OFFICER, "370800", "济宁市统计填报员（演示）", "济宁市工业和信息化局"),
    ("rencheng", Role.COUNTY_OFFICER, "370811", "任城区用户（演示）", "济宁市任城区工业和信息化局"),
    ("jiqun_org", Role.CLUSTER_ORG, "370800", "集群促进机构（演示）", "济宁市集群促进机构"),
    ("qiye", Role.ENTERPRISE_REPORTER, "370800", "企业填报员（演示）", ""),
    ("zhuanjia", Role.EXPERT, "370000", "评审专家（演示）", ""),
    ("lingdao", Role.LEADER, "370000", "领导（演示）", "山东省工业和信息化厅"),
    # The 链长 of the demo 工程机械 chain (jiqun.chains.chief_demo sets it on the chain).
    ("lianzhang", Role.LEADER, "370800", "济宁市工程机械产业链链长（演示）", "济宁市人民政府"),
    ("xitong", Role.SYSTEM_ADMIN, None, "系统管理员（演示）", ""),
    ("anquan", Role.SECURITY_ADMIN, None, "安全管理员（演示）", ""),
    ("shenji", Role.AUDIT_ADMIN, None, "审计管理员（演示）", ""),
]


def _noop(message: str) -> None:
    pass


@transaction.atomic
def demo_load(*, progress: Callable[[str], None] = _noop) -> dict[str, int]:
    """Load everything; safe to run twice (existing rows are updated, users kept)."""
    progress("行政区划")
    regions_load()
    progress("指标目录")
    specs = indicators_parse()
    indicators_install(actor=None, specs=specs)
    params = {spec.code: spec.params for spec in specs}
    parsed = [pack_parse(path, params) for path in pack_files()]
    # A pack that supersedes another is loaded after it.
    parsed.sort(key=lambda p: (p.spec.supersedes is not None, str(p.spec.document.date or "")))
    for pack in parsed:
        progress(f"培育工程 {pack.spec.code}")
        pack_install(actor=None, parsed=pack)
    from jiqun.clusters.demo import demo_cluster_cities

    placed = demo_cluster_cities()  # before the statistics: SD-2023-185's clusters in their cities, not the province
    progress("演示账号")
    users = demo_users_create()
    progress("演示数据")
    generated = {"demo_cluster_cities": placed, **demo_figures_generate()}
    progress("演示统计季报")
    from jiqun.monitoring.demo import demo_statistics_generate

    generated["demo_reports"] = demo_statistics_generate()
    from django.apps import apps

    from jiqun.clusters.demo import demo_reviews_generate

    generated["demo_reviews"] = demo_reviews_generate()
    if apps.is_installed("jiqun.targets"):
        from jiqun.targets.demo import demo_supervision_generate

        generated["demo_supervision"] = demo_supervision_generate()
    if apps.is_installed("jiqun.evaluation"):
        from jiqun.evaluation.demo import demo_evaluation_generate

        generated["demo_evaluation_runs"] = demo_evaluation_generate()

    if apps.is_installed("jiqun.recognition"):
        from jiqun.recognition.demo import demo_recognition_generate

        generated["demo_recognition"] = demo_recognition_generate()
    if apps.is_installed("jiqun.incidents"):
        from jiqun.incidents.demo import demo_incidents_generate

        generated["demo_incidents"] = demo_incidents_generate()
    if apps.is_installed("jiqun.projects"):
        from jiqun.projects.demo import demo_projects_generate

        generated["demo_projects"] = demo_projects_generate()
        from jiqun.projects.dispatch_demo import demo_dispatches

        generated["demo_dispatches"] = demo_dispatches()  # the open periods opened before the projects existed
    if apps.is_installed("jiqun.evaluation"):
        from jiqun.evaluation.demo import demo_evaluation_projects_generate

        # the county 考核's bonus items and the 观摩评比 read the project library: after the projects and dispatches
        generated["demo_evaluation_project_runs"] = demo_evaluation_projects_generate()
    if apps.is_installed("jiqun.chains"):
        from jiqun.chains.demo import demo_chains_generate
        from jiqun.chains.prospect_demo import demo_prospects_generate

        generated["demo_chains"] = demo_chains_generate()
        from jiqun.chains.chief_demo import demo_chief_generate

        generated["demo_chain_chief"] = demo_chief_generate()  # the 链长 and the chains' “九个一” sheets
        generated["demo_prospects"] = demo_prospects_generate()  # on the demo chains, linked to demo projects
    from jiqun.regions.demo import demo_zone_coordinates

    generated["demo_zone_points"] = demo_zone_coordinates()  # Jining's parks on the dashboards' maps
    if apps.is_installed("jiqun.dashboards"):
        from jiqun.dashboards.summaries import summaries_rebuild
        from jiqun.programmes.models import Programme

        progress("仪表盘汇总数")
        generated["dashboard_figures"] = sum(s.rows for s in summaries_rebuild(Programme.objects.all()))
    return {
        "programmes": len(parsed), "clusters": Cluster.objects.count(), "enterprises": Enterprise.objects.count(),
        "users": users, **generated,
    }


def demo_users_create() -> int:
    created = 0
    jining_cluster = Cluster.objects.filter(regions__code="370800").order_by("id").first()
    jining_enterprise = Enterprise.objects.filter(region__code__startswith="3708").order_by("id").first()
    for username, role, region, full_name, organisation in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user_create(
            actor=None, username=username, password=settings.JIQUN_DEMO_PASSWORD, role=role,
            region=Region.objects.get(code=region) if region else None, full_name=full_name,
            organisation=organisation,
            clusters=[jining_cluster] if role == Role.CLUSTER_ORG and jining_cluster else [],
            enterprise=jining_enterprise if role == Role.ENTERPRISE_REPORTER else None,
        )
        created += 1
    return created


def demo_figures_generate() -> dict[str, int]:
    """Generated, labelled 演示数据: yearly 规上 status, some honours, and one carrier per cluster."""
    rng = random.Random(DEMO_SEED)
    honours = scales = carriers = 0
    honour_kinds = [HonourKind.HIGHTECH, HonourKind.SPECIALIZED, HonourKind.LITTLE_GIANT,
                    HonourKind.SINGLE_CHAMPION, HonourKind.GAZELLE]
    for enterprise in Enterprise.objects.filter(source=Source.POLICY).order_by("id"):
        for year in (2023, 2024, 2025):
            _, made = EnterpriseScale.objects.get_or_create(
                enterprise=enterprise, year=year, defaults={"above_scale": True, "source": Source.DEMO}
            )
            scales += made
        if rng.random() < 0.5:
            kind = rng.choice(honour_kinds)
            level = "national" if kind in (HonourKind.LITTLE_GIANT, HonourKind.SINGLE_CHAMPION) else "provincial"
            year = rng.choice((2021, 2022, 2023, 2024))
            _, made = Honour.objects.get_or_create(
                enterprise=enterprise, kind=kind, level=level, year=year,
                defaults={"valid_until": year + 3, "source": Source.DEMO},
            )
            honours += made
    for cluster in Cluster.objects.order_by("id").prefetch_related("regions"):
        if cluster.carriers.exists():
            continue
        host = cluster.memberships.order_by("id").first()
        carrier_create(
            actor=None, name=f"{cluster.name}创新中心（演示）", kind=CarrierKind.TECH_INNOVATION,
            level=rng.choice(["national", "provincial", "provincial"]), region=cluster.regions.first(),
            host=host.enterprise if host else None, cluster=cluster, year=rng.choice((2022, 2023, 2024)),
            source=Source.DEMO,
        )
        carriers += 1
    return {"demo_honours": honours, "demo_scale_years": scales, "demo_carriers": carriers}
