"""Who may change a chain: the province; a city or county officer whose region holds the chain's home region;
the organisation of a cluster the chain serves (it keeps its chain map, DESIGN's 集群促进机构). Supply links,
being sensitive, are kept by the region officers only. Leaders (链长 included) read."""

from jiqun.accounts.models import Role
from jiqun.accounts.scoping import region_within


def _region_officer_for(user, chain) -> bool:
    if user.role == Role.PROVINCE_ADMIN:
        return True
    return user.role in {Role.CITY_OFFICER, Role.COUNTY_OFFICER} and region_within(user, chain.region_id)


def can_create_chain_in(user, region_code: str) -> bool:
    """Whether the user may create a chain whose home region is `region_code`."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == Role.PROVINCE_ADMIN:
        return True
    return user.role in {Role.CITY_OFFICER, Role.COUNTY_OFFICER} and region_within(user, region_code)


def can_edit_chain(user, chain) -> bool:
    """Structure, placements and the chain's settings."""
    if user is None or not user.is_authenticated:
        return False
    if _region_officer_for(user, chain):
        return True
    return user.role == Role.CLUSTER_ORG and chain.clusters.filter(pk__in=user.clusters.values("pk")).exists()


def can_edit_supply_links(user, chain) -> bool:
    """Supply links: the chain's region officers and the province only."""
    if user is None or not user.is_authenticated:
        return False
    return _region_officer_for(user, chain)


def can_edit_prospects(user, chain) -> bool:
    """The 招引名录 of a chain: who edits the chain (its region officers, its clusters' organisations)."""
    return can_edit_chain(user, chain)
