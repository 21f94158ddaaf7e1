"""Bulk approval of the reports waiting for the user (from the workbench): the list with a checkbox for each
clean report, and the POST that approves the chosen ones through monitoring.bulk.reports_approve_bulk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jiqun.core.text import whole_number
from jiqun.dashboards.workbench import APPROVAL_PAGE_ROWS, approval_rows
from jiqun.monitoring.bulk import reports_approve_bulk

COMMENT_LIMIT = 2000


def _chosen(request: HttpRequest) -> tuple[list[int], list[str], dict[int, int]]:
    """The report numbers posted, the values that are not numbers (named in the message), and the revision of
    each report as the page showed it."""
    ids, bad, seen = [], [], {}
    for value in request.POST.getlist("reports"):
        number = whole_number(value)
        if number:
            ids.append(number)
            revision = whole_number(request.POST.get(f"seen_{number}", ""))
            if revision is not None:
                seen[number] = revision
        else:
            bad.append(value.strip()[:20])
    return ids, bad, seen


@login_required
@require_http_methods(["GET", "POST"])
def approve(request: HttpRequest) -> HttpResponse:
    """GET: the reports waiting for the user's approval; POST: approve the chosen clean ones, show the result."""
    result = None
    if request.method == "POST":
        if request.user.is_read_only:
            raise PermissionDenied(_("只读角色不能审核报表"))
        ids, bad, seen = _chosen(request)
        comment = request.POST.get("comment", "").strip()
        if bad:
            messages.error(request, _("所选报表编号无效：%(values)s；未做任何审核。") % {"values": _("、").join(bad)})
        elif len(comment) > COMMENT_LIMIT:
            messages.error(request, _("审核意见有 %(n)s 个字，最多 %(limit)s 个；未做任何审核。")
                           % {"n": len(comment), "limit": COMMENT_LIMIT})
        else:
            try:
                result = reports_approve_bulk(actor=request.user, reports=ids, comment=comment, seen=seen)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                if result.approved:
                    messages.success(request, _("已审核通过 %(n)s 份报表") % {"n": len(result.approved)})
                if result.refused:
                    messages.warning(request, _("%(n)s 份报表未审核，原因见下表") % {"n": len(result.refused)})
    rows, count = approval_rows(request.user, limit=APPROVAL_PAGE_ROWS)
    return render(request, "dashboards/workbench_approve.html", {
        "rows": rows, "count": count, "result": result, "limit": APPROVAL_PAGE_ROWS,
    }, status=400 if request.method == "POST" and result is None else 200)
