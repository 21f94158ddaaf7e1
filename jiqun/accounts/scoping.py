"""Who may see what: the one place that turns a user into a filter.

Visibility follows the region tree (a GB/T 2260 code prefix) and, for cluster organisations and
enterprise reporters, their assigned clusters or enterprise. The three admin roles (三员分立) see no
business data at all. Every `for_user` queryset in the project is built from these functions.
"""

from django.db.models import Q

from jiqun.accounts.models import ADMIN_ROLES, Role
from jiqun.regions.models import scope_prefix

NOTHING = Q(pk__in=[])


def visible_prefix(user) -> str | None:
    """Return the region-code prefix the user sees, or None when region gives no view."""
    if not user.is_authenticated or user.role in ADMIN_ROLES or user.role == Role.EXPERT:
        return None
    if user.region_id is None:
        return None
    return scope_prefix(user.region_id)


def region_q(user, field: str) -> Q:
    """Rows whose region (the field path to a Region) lies inside the user's region."""
    prefix = visible_prefix(user)
    if prefix is None:
        return NOTHING
    return Q(**{f"{field}__code__startswith": prefix})


def cluster_q(user) -> Q:
    """Clusters the user may see."""
    if not user.is_authenticated or user.role in ADMIN_ROLES or user.role == Role.EXPERT:
        return NOTHING
    if user.role == Role.CLUSTER_ORG or (user.role == Role.LEADER and user.clusters.exists()):
        return Q(pk__in=user.clusters.values("pk"))
    if user.role == Role.ENTERPRISE_REPORTER:
        return Q(memberships__enterprise_id=user.enterprise_id) if user.enterprise_id else NOTHING
    return region_q(user, "regions")


def enterprise_q(user) -> Q:
    """Enterprises the user may see."""
    if not user.is_authenticated or user.role in ADMIN_ROLES or user.role == Role.EXPERT:
        return NOTHING
    if user.role == Role.CLUSTER_ORG or (user.role == Role.LEADER and user.clusters.exists()):
        return Q(memberships__cluster__in=user.clusters.all())
    if user.role == Role.ENTERPRISE_REPORTER:
        return Q(pk=user.enterprise_id) if user.enterprise_id else NOTHING
    return region_q(user, "region")


def region_within(user, region_code: str) -> bool:
    """Whether a region lies inside the user's own region."""
    prefix = visible_prefix(user)
    return prefix is not None and region_code.startswith(prefix)
