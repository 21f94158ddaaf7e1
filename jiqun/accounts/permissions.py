"""What a user may do to an object it can see. Visibility itself is decided in `scoping`."""

import rules

from jiqun.accounts.models import ADMIN_ROLES, READ_ONLY_ROLES, Role
from jiqun.accounts.scoping import region_within


@rules.predicate
def is_province_admin(user) -> bool:
    return user.is_authenticated and user.role == Role.PROVINCE_ADMIN


@rules.predicate
def is_system_admin(user) -> bool:
    return user.is_authenticated and user.role == Role.SYSTEM_ADMIN


@rules.predicate
def is_audit_admin(user) -> bool:
    return user.is_authenticated and user.role == Role.AUDIT_ADMIN


@rules.predicate
def is_security_admin(user) -> bool:
    return user.is_authenticated and user.role == Role.SECURITY_ADMIN


@rules.predicate
def is_expert(user) -> bool:
    return user.is_authenticated and user.role == Role.EXPERT


@rules.predicate
def is_leader(user) -> bool:
    """A leader (群长, 链长, department head): reads its scope, leads chains."""
    return user.is_authenticated and user.role == Role.LEADER


@rules.predicate
def has_workbench(user) -> bool:
    """Whether the user has business work to be shown (the three administrators and a pending account have none)."""
    return user.is_authenticated and user.role not in ADMIN_ROLES and user.role != Role.PENDING


@rules.predicate
def follows_supervision_tasks(user) -> bool:
    """The roles that are given or follow supervision tasks (督导任务): the province, region officers, leaders."""
    return user.is_authenticated and user.role in (Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER,
                                                   Role.LEADER)


@rules.predicate
def can_write(user) -> bool:
    return user.is_authenticated and user.role not in READ_ONLY_ROLES


@rules.predicate
def owns_cluster(user, cluster) -> bool:
    """A region officer owns a cluster when every region of it lies inside its own region.

    A cluster that spans two cities is kept by the province, so neither city overwrites the other.
    """
    if user.role == Role.CLUSTER_ORG:
        return user.clusters.filter(pk=cluster.pk).exists()
    if user.role not in {Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER}:
        return False
    codes = list(cluster.regions.values_list("code", flat=True))
    return bool(codes) and all(region_within(user, code) for code in codes)


@rules.predicate
def owns_enterprise(user, enterprise) -> bool:
    if user.role == Role.ENTERPRISE_REPORTER:
        return user.enterprise_id == enterprise.pk
    if user.role not in {Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER}:
        return False
    return region_within(user, enterprise.region_id)


@rules.predicate
def may_create_in_region(user, region_code: str) -> bool:
    if user.role not in {Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER}:
        return False
    return region_within(user, region_code)


can_edit_cluster = can_write & owns_cluster
can_edit_enterprise = can_write & owns_enterprise
can_create_in_region = can_write & may_create_in_region
can_manage_programmes = is_province_admin
can_read_audit = is_audit_admin
# The province alone decides a cluster's tier, status and regions; the pages, the API and the services ask this.
can_decide_cluster_standing = is_province_admin
# Those who keep a cluster but may not decide its standing ask the province through a ClusterProposal.
can_propose_cluster_change = can_edit_cluster & ~is_province_admin
# 三员分立: the system admin keeps accounts, the security admin roles and scopes.
can_manage_accounts = is_system_admin
can_assign_roles = is_security_admin
