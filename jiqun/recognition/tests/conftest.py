"""A fresh round on SD-2023-185 (the demo's approved 2025 figures), five experts with their accounts, one of
them with a declared conflict."""

import datetime
from decimal import Decimal

import pytest

from jiqun.accounts.models import Role, User
from jiqun.accounts.services import user_create
from jiqun.clusters.models import Cluster, Tier
from jiqun.programmes.models import Programme
from jiqun.recognition.models import ASPECT_CODES
from jiqun.recognition.services import (
    application_create,
    call_create,
    call_open,
    conflict_declare,
    expert_create,
)
from jiqun.regions.models import Region

TEXTS = {code: f"测试{code}" for code in ASPECT_CODES}
TODAY = datetime.date(2026, 6, 1)
DEADLINE = datetime.date(2026, 6, 30)


def scores(value) -> dict[str, Decimal]:
    """The same score on every aspect, so an expert's weighted score is that value."""
    return {code: Decimal(value) for code in ASPECT_CODES}


@pytest.fixture
def sheng(db) -> User:
    return User.objects.get(username="sheng")


@pytest.fixture
def programme(db) -> Programme:
    return Programme.objects.get(code="SD-2023-185")


@pytest.fixture
def clusters(programme) -> dict[str, Cluster]:
    names = ["动力装备", "高端铝业", "新能源汽车", "化工新材料"]
    return {c.name: c for c in Cluster.objects.filter(programme=programme, name__in=names)}


@pytest.fixture
def call(sheng, programme):
    call = call_create(
        actor=sheng, programme=programme, title="测试批次", tier_sought=Tier.PROVINCIAL, quota=2, deadline=DEADLINE,
        data_year=2025, quantitative_weight=Decimal("0.2"), aspect_weights=dict.fromkeys(ASPECT_CODES, 1),
        quantitative_indicators=["revenue"], thresholds=[("revenue", Decimal(15_000_000))])
    return call_open(actor=sheng, call=call)


@pytest.fixture
def applications(call, clusters) -> dict:
    """The four clusters apply (written by the system: no persona keeps these province-wide clusters)."""
    return {name: application_create(actor=None, call=call, cluster=cluster, texts=TEXTS, today=TODAY)
            for name, cluster in clusters.items()}


@pytest.fixture
def experts(sheng, clusters) -> list:
    """Five experts, each with a 评审专家 account; the fifth declared a conflict with 动力装备."""
    made = []
    for i in range(5):
        user = user_create(actor=None, username=f"expert{i}", password="Jiqun@2026test", role=Role.EXPERT,
                           region=Region.objects.get(code="370000"), full_name=f"专家{i}")
        made.append(expert_create(actor=sheng, name=f"专家{i}", field="先进制造", organisation=f"研究院{i}",
                                  city=Region.objects.get(code="370100"), user=user))
    conflict_declare(actor=sheng, expert=made[4], cluster=clusters["动力装备"], reason="曾任该集群顾问")
    return made
