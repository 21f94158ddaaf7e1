"""Who may fill, review and approve a report. Visibility is `Report.objects.for_user`."""

import rules

from jiqun.accounts.models import Role
from jiqun.accounts.permissions import owns_cluster, owns_enterprise
from jiqun.accounts.scoping import region_within
from jiqun.monitoring.models import Report, ReportStatus
from jiqun.regions.models import PROVINCE_CODE


def _report_regions(report) -> list[str]:
    if report.enterprise_id:
        return [report.enterprise.region_id]
    if report.region_id:
        return [report.region_id]
    return list(report.cluster.regions.values_list("code", flat=True))


def fills_region(user, region_code: str) -> bool:
    """Whether the user keeps a region's 综合表: that city's own officers, or for the province a province
    administrator. A county officer keeps none (its city's figures are the city's), nor does the province
    keep a city's."""
    if user.role == Role.CITY_OFFICER:
        return user.region_id == region_code and region_code != PROVINCE_CODE
    if user.role == Role.PROVINCE_ADMIN:
        return region_code == PROVINCE_CODE
    return False


def keeps_report(user, report) -> bool:
    """Whether the user is one of those who fill this report, whatever its status."""
    if report.enterprise_id:
        return owns_enterprise(user, report.enterprise)
    if report.region_id:
        return fills_region(user, report.region_id)
    return owns_cluster(user, report.cluster)


@rules.predicate
def can_fill_report(user, report) -> bool:
    if not user.is_authenticated or not report.editable:
        return False
    return keeps_report(user, report)


@rules.predicate
def can_review_province(user, form) -> bool:
    return user.role == Role.PROVINCE_ADMIN


def region_review_predicates(regions_of):
    """The city's review predicates of a kind of filed form whose regions `regions_of(form)` lists (a report's
    cluster regions, an enterprise's or a 综合表's region, a project's region): (can_review_city,
    can_approve_city, can_return)."""

    @rules.predicate
    def can_review_city(user, form) -> bool:
        """A city officer reviews forms whose regions all lie in its city (its own city's 综合表 too, by an
        officer who did not fill it); the province may stand in, and is the only reviewer of the province's 综合表
        and of a form spanning several cities (a cross-city cluster is kept by the province: 代市级审核)."""
        if user.role == Role.PROVINCE_ADMIN:
            return True
        if user.role != Role.CITY_OFFICER:
            return False
        regions = regions_of(form)
        return bool(regions) and all(region_within(user, code) for code in regions)

    @rules.predicate
    def can_approve_city(user, form) -> bool:
        """Only a city officer gives 市级审核通过; the province standing in is its own transition (代市级审核)."""
        return user.role == Role.CITY_OFFICER and can_review_city(user, form)

    @rules.predicate
    def can_return(user, form) -> bool:
        """A city-approved form goes back only from the province; a submitted one from its city."""
        if form.status == ReportStatus.CITY_APPROVED:
            return can_review_province(user, form)
        return can_review_city(user, form)

    return can_review_city, can_approve_city, can_return


can_review_city, can_approve_city, can_return = region_review_predicates(_report_regions)


def can_approve_next(user, report) -> bool:
    """Whether the user gives the report's next approval as it stands (市级 for a submitted report, 省级 for a
    city-approved one), separation of duties aside: what a to-approve list may offer."""
    if report.status == ReportStatus.SUBMITTED:
        return can_approve_city(user, report)
    if report.status == ReportStatus.CITY_APPROVED:
        return can_review_province(user, report)
    return False


def filled_report_ids(user, report_ids) -> set[int]:
    """Of `report_ids`, the reports this user took part in filling: wrote any revision of (form, import, API)
    or submitted. 填报 in separation of duties: whoever filled or submitted a report never approves it."""
    from jiqun.monitoring.models import ReportEvent, ReportRevision

    username = getattr(user, "username", "")
    if not username:
        return set()
    ids = list(report_ids)
    wrote = ReportRevision.objects.filter(report__in=ids, actor_name=username).values_list("report_id", flat=True)
    submitted = (ReportEvent.objects.filter(report__in=ids, action="submit", actor_name=username)
                 .values_list("report_id", flat=True))
    return set(wrote) | set(submitted)


@rules.predicate
def has_filled_report(user, report) -> bool:
    """Whether the user wrote any revision of the report or submitted it: 填报 in separation of duties."""
    return bool(filled_report_ids(user, [report.pk]))


@rules.predicate
def can_request_correction(user, report) -> bool:
    """Whoever filled or reviewed a locked report may ask to correct it; the province decides."""
    if not user.is_authenticated or report.status != ReportStatus.PROVINCE_APPROVED:
        return False
    return keeps_report(user, report) or can_review_city(user, report)


@rules.predicate
def can_open_period(user) -> bool:
    return user.is_authenticated and user.role == Role.PROVINCE_ADMIN


FILLING_ROLES = {Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER, Role.CLUSTER_ORG,
                 Role.ENTERPRISE_REPORTER}


@rules.predicate
def can_fill_period(user, period) -> bool:
    """Whether the user keeps any report of the period, whatever its status: who may reach the Excel upload.

    A submitted report still lets its keeper upload (and be told why that row is refused); a leader, an
    expert or an administrator keeps none, so never reaches the importer.
    """
    if not user.is_authenticated or user.role not in FILLING_ROLES:
        return False
    reports = Report.objects.for_user(user).filter(period=period).select_related("enterprise", "cluster")
    return any(keeps_report(user, report) for report in reports.iterator(chunk_size=200))
