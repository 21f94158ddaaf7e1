"""`{% report_links period as links %}`: the report downloads a period page offers its user."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from jiqun.accounts.scoping import sees_region_totals
from jiqun.reports.builders import HALF_YEAR_QUARTERS

register = template.Library()


@register.simple_tag
def report_links(user, period) -> list[tuple[str, str]]:
    """(label, URL) of the quarterly analysis (Word, and beside it the same as PDF) of the user's province or city and, for 1-6月 and 1-12月,
    the half-yearly summary (Excel); none for a user who does not see a region's totals."""
    region = getattr(user, "region_id", None)
    if not region or not sees_region_totals(user, region):
        return []
    query = urlencode({"programme": period.programme.code, "year": period.year, "quarter": period.quarter})
    # the Word report is made by the background worker (tasks:quarterly asks, then starts it); the PDF is immediate
    links = [(_("季度分析报告（Word）"), f"{reverse('tasks:quarterly')}?{query}"),
             (_("（PDF）"), f"{reverse('reports:quarterly_pdf')}?{query}")]
    if period.quarter in HALF_YEAR_QUARTERS:
        links.append((_("半年报汇总表（Excel）"), f"{reverse('reports:halfyear')}?{query}"))
    return links
