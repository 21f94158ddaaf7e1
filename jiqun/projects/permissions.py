"""Who may change the project library: the province, and a city or county officer inside its own region.
Leaders read; cluster organisations see their clusters' projects and file their dispatch (not here yet)."""

from jiqun.accounts.models import Role
from jiqun.accounts.scoping import region_within


def can_edit_project_in(user, region_code: str) -> bool:
    """Whether the user may create or change a project located in `region_code`."""
    if user is None or not user.is_authenticated:  # None: the system (services let it through)
        return False
    if user.role == Role.PROVINCE_ADMIN:
        return True
    return user.role in {Role.CITY_OFFICER, Role.COUNTY_OFFICER} and region_within(user, region_code)


def can_edit_project(user, project) -> bool:
    return can_edit_project_in(user, project.region_id)


def can_import_projects(user) -> bool:
    """Whether the user may import a project library (Excel): who creates projects somewhere in a region."""
    if not user.is_authenticated:
        return False
    return user.role == Role.PROVINCE_ADMIN or (user.role in {Role.CITY_OFFICER, Role.COUNTY_OFFICER}
                                                and bool(user.region_id))


def keeps_dispatches(user) -> bool:
    """Whether the user fills project dispatches at all (the province, a city or a county officer)."""
    return user.is_authenticated and user.role in {Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER}


def dispatch_status_to_approve(user) -> str | None:
    """The dispatch status waiting for this user's approval: submitted ones for a city, city-approved ones for the
    province; None for whom approves none."""
    from jiqun.monitoring.models import ReportStatus

    return {Role.CITY_OFFICER: ReportStatus.SUBMITTED, Role.PROVINCE_ADMIN: ReportStatus.CITY_APPROVED}.get(user.role)


def sees_overdue_projects(user) -> bool:
    """Whether the overdue list (constraints, stage dates) is the user's business: officers, cluster organisations
    and leaders; not experts, enterprise reporters or the administrators."""
    return user.is_authenticated and user.role in {Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER,
                                                   Role.CLUSTER_ORG, Role.LEADER}
