"""Demo dispatches: the open periods' dispatches of the demo projects, filed from their plans and, for most, approved.

Call `demo_dispatches()` after the demo projects are loaded (and after the statistics periods are opened): it opens
the missing dispatches of every open period, then files each (a share of the year's plan, a progress note), submits
it as the county or city filer and approves it as another officer, leaving about a third waiting so the 催报 list
and the status matrix show something. Stages and constraints are not reported: the demo projects carry their own.
"""

import random
from decimal import Decimal

from django.db import transaction

from jiqun.accounts.models import User
from jiqun.monitoring.models import PeriodStatus, ReportingPeriod, ReportStatus
from jiqun.projects.dispatch_services import (
    dispatch_approve_city,
    dispatch_approve_for_city,
    dispatch_save,
    dispatch_submit,
    dispatches_create,
)
from jiqun.projects.models import YearPlan
from jiqun.regions.models import city_code

PACE = {1: Decimal("0.22"), 2: Decimal("0.47"), 3: Decimal("0.73"), 4: Decimal("0.98")}


@transaction.atomic
def demo_dispatches(seed: int = 2026) -> int:
    """File the demo projects' dispatches in every open period; the number filed."""
    rng = random.Random(seed)
    users = {u.username: u for u in User.objects.filter(username__in=["sheng", "sheng_tj", "jining", "jining_tj",
                                                                       "rencheng"])}
    filed = 0
    for period in ReportingPeriod.objects.filter(status=PeriodStatus.OPEN).order_by("pk"):
        dispatches_create(period)
        for dispatch in period.dispatches.select_related("project").order_by("project__code"):
            if dispatch.status != ReportStatus.DRAFT:
                continue  # filed already: the demo loads again in place without touching it
            project = dispatch.project
            plan = YearPlan.objects.filter(project=project, year=period.year).values_list("planned", flat=True).first()
            if not plan:
                continue
            share = PACE[period.quarter] * Decimal(str(round(rng.uniform(0.6, 1.3), 2)))
            completed = min((plan * share).quantize(Decimal(1)), project.total_investment)
            jining = city_code(project.region_id) == "370800"
            filler = users["rencheng"] if project.region_id == "370811" else users["jining_tj"] if jining \
                else users["sheng_tj"]
            dispatch_save(actor=filler, dispatch=dispatch, base_version=dispatch.version, completed_ytd=completed,
                          progress="按计划推进（演示数据）")
            filed += 1
            if rng.random() < 0.35:
                continue  # not submitted yet: shows in the 催报 list
            dispatch_submit(actor=filler, dispatch=dispatch)
            if jining:
                dispatch_approve_city(actor=users["jining"], dispatch=dispatch)
            else:
                dispatch_approve_for_city(actor=users["sheng"], dispatch=dispatch, reason="演示：市级未配置审核人员")
    return filed
