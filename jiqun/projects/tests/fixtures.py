"""Projects of the tests' own, made through the services, so no test depends on the demo's projects."""

import datetime
import itertools
from decimal import Decimal

from jiqun.accounts.models import User
from jiqun.programmes.models import Indicator, Programme, Target
from jiqun.projects.models import STAGE_LINE, Project, Stage
from jiqun.projects.services import project_create, project_move_stage
from jiqun.regions.models import Region, Zone

_counter = itertools.count(1)


def make_zone(name: str, region: str = "370883", kind: str = "chemical") -> Zone:
    """A park of the test's own (parks are reference data loaded from the packs; there is no service)."""
    return Zone.objects.create(name=name, kind=kind, level="provincial", region=Region.objects.get(code=region))


def make_project(*, name: str, yi: str, region: str = "370883", zone: Zone | None = None, clusters=(),
                 signed: datetime.date | None = None, entered: datetime.date = datetime.date(2020, 1, 1),
                 stages: dict[str, datetime.date] | None = None, code: str = "", actor=None, **extra) -> Project:
    """A project of `yi` 亿元, moved one step to each stage of `stages` (in order) on its date; by the
    province admin unless `actor` is given."""
    actor = actor or User.objects.get(username="sheng")
    project = project_create(
        actor=actor, code=code or f"T-{next(_counter):05d}", name=name, region=Region.objects.get(code=region),
        zone=zone, investor_name="测试投资方", total_investment=Decimal(yi) * 10000, kind="investment",
        signed_on=signed, clusters=clusters, stage_reached_on=entered, **extra)
    for stage, day in (stages or {}).items():  # each step in order: {"reserve": d1, "started": d2}
        project_move_stage(actor=actor, project=project, to_stage=stage, reached_on=day,
                           reason="测试退出" if stage not in STAGE_LINE else "")
    return Project.objects.get(pk=project.pk)


def make_programme(code: str, *, city: str = "370800", start: int = 2020, end: int = 2025,
                   document_date: str = "2020-10-01") -> Programme:
    return Programme.objects.create(
        code=code, name=f"测试项目工程{code}", document_title="测试文件", document_date=document_date, source_file="x",
        scope="city", scope_region=Region.objects.get(code=city), period_start=start, period_end=end, pack_hash="x")


def make_project_target(programme: Programme, code: str, *, subject: str, value: int, year: int, params=None,
                        label: str = "", cluster=None) -> Target:
    return Target.objects.create(
        programme=programme, code=code, label=label or f"测试项目目标{code}", subject_kind=subject,
        subject_ref="*" if cluster is None else cluster.code, subject_cluster=cluster,
        indicator=Indicator.objects.get(code="count_projects"), params=params or {}, comparator=">=",
        value=Decimal(value), unit="个", year=year, clause="二(二)2", quote="测试原文")


__all__ = ["Stage", "make_programme", "make_project", "make_project_target", "make_zone"]
