"""Who may adjust a target, report on a task, and fill a chain's checklist. Visibility is in models/selectors.

A task is reported on by its units (牵头单位, 责任单位). A user acts as a unit when the user's organisation is
that unit: exactly, or as the province or the programme's city writes it (“省工业和信息化厅” is
山东省工业和信息化厅; in a 济宁 programme “市工业和信息化局” is 济宁市工业和信息化局). Units the documents name
only generically (各市人民政府, 各县市区、功能区 …) are reported on by the officers of those places.
"""

import rules

from jiqun.accounts.models import Role
from jiqun.accounts.permissions import (
    can_create_in_region,
    can_write,
    is_province_admin,
    may_create_in_region,
)
from jiqun.accounts.scoping import region_within
from jiqun.regions.models import same_city

PROVINCE_NAME = "山东省"
# Words of a generic unit name → roles whose officers report as that unit.
GENERIC_UNITS: list[tuple[str, set[str]]] = [
    ("县市区", {Role.COUNTY_OFFICER}),
    ("功能区", {Role.COUNTY_OFFICER}),
    ("开发区", {Role.COUNTY_OFFICER}),
    ("各市", {Role.CITY_OFFICER}),
    ("所在市", {Role.CITY_OFFICER}),
    ("市商务主管部门", {Role.CITY_OFFICER}),
    ("各地", {Role.CITY_OFFICER, Role.COUNTY_OFFICER}),
    ("各级、各部门", {Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER}),
    ("有关部门", {Role.PROVINCE_ADMIN}),
]


def _names_for(unit: str, city: str | None) -> set[str]:
    """The organisation names that are this unit."""
    names = {unit}
    if unit.startswith("省"):
        names.add(PROVINCE_NAME + unit[1:])
    if city and unit.startswith("市"):
        names.add(city + unit[1:])
    return names


def task_units(user, task) -> list[str]:
    """The task's units the user may report as, lead units first; empty when it may not report."""
    if not user.is_authenticated or not can_write(user) or not user.region_id:
        return []
    scope = task.programme.scope_region
    if scope is not None and not (region_within(user, scope.code) or same_city(user.region_id, scope.code)):
        return []
    city = scope.name if scope is not None else None
    organisation = (user.organisation or "").strip()
    units = []
    for unit in [*task.lead_units, *task.responsible_units]:
        if organisation and organisation in _names_for(unit, city):
            units.append(unit)
        elif any(word in unit and user.role in roles for word, roles in GENERIC_UNITS):
            units.append(unit)
    return list(dict.fromkeys(units))


@rules.predicate
def can_report_task(user, task) -> bool:
    return bool(task_units(user, task))


@rules.predicate
def owns_sheet(user, sheet) -> bool:
    """The county that runs the chain, the city above it, the province, or the cluster's promotion body."""
    if user.role == Role.CLUSTER_ORG:
        return user.clusters.filter(pk=sheet.cluster_id).exists()
    return may_create_in_region(user, sheet.region_id)


can_adjust_target = is_province_admin
can_fill_checklist = can_write & owns_sheet
can_open_checklist = can_create_in_region  # a sheet is opened like any record in a region
