"""Shared set-up of the dispatch tests: projects of a 济宁 “231” cluster, and a period of 2027 that opens their
dispatches (the demo's statistics periods are of earlier years)."""

import datetime
from decimal import Decimal

from jiqun.accounts.models import User
from jiqun.clusters.models import Cluster
from jiqun.monitoring.services import period_open
from jiqun.programmes.models import Programme
from jiqun.projects.models import Dispatch, Project
from jiqun.projects.services import project_create, project_plan_year
from jiqun.regions.models import Region

TODAY = datetime.date.today()  # read once at import: a "future" day in these tests is two days on, so a run across midnight holds
YEAR = 2027
PROGRAMME = "JN-2020-231"


def user(name: str) -> User:
    return User.objects.get(username=name)


def programme() -> Programme:
    return Programme.objects.get(code=PROGRAMME)


def make_project(name: str = "七洲绿色化工高端化学品项目", region: str = "370811", total: str = "300000",
                 plan: str | None = "80000", stage_days_ago: int = 400) -> Project:
    cluster = Cluster.objects.filter(programme=programme()).order_by("pk").first()
    project = project_create(actor=user("sheng"), clusters=[cluster], name=name, region=Region.objects.get(code=region),
                             investor_name="七洲绿色化工", total_investment=Decimal(total), kind="investment",
                             stage_reached_on=TODAY - datetime.timedelta(days=stage_days_ago))
    if plan is not None:
        project_plan_year(actor=user("sheng"), project=project, year=YEAR, planned=Decimal(plan))
    return project


def open_period(quarter: int):
    return period_open(actor=user("sheng"), programme=programme(), year=YEAR, quarter=quarter,
                       deadline=datetime.date(YEAR, quarter * 3, 28) + datetime.timedelta(days=20))


def dispatch_of(project: Project, period) -> Dispatch:
    return Dispatch.objects.select_related("project", "period").get(project=project, period=period)
