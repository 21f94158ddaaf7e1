"""Who may record, correct and withdraw an incident. Who sees one is decided in jiqun.accounts.scoping."""

import rules

from jiqun.accounts.models import Role
from jiqun.accounts.scoping import region_within
from jiqun.regions.models import city_code


@rules.predicate
def can_record_incident(user, cluster) -> bool:
    """The province, or the officer of a city the cluster lies in (the cluster's city enters its incidents)."""
    if not user.is_authenticated:
        return False
    if user.role == Role.PROVINCE_ADMIN:
        return True
    if user.role != Role.CITY_OFFICER:
        return False
    return any(region_within(user, city_code(code)) for code in cluster.regions.values_list("code", flat=True))


@rules.predicate
def may_record_incidents(user) -> bool:
    """Whether the user's role records incidents at all (for showing the 登记 button)."""
    return user.is_authenticated and user.role in {Role.PROVINCE_ADMIN, Role.CITY_OFFICER}
