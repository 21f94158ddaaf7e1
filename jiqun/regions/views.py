from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiqun.accounts.scoping import visible_prefix
from jiqun.regions.models import Region, RetiredRegion, Zone


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    prefix = visible_prefix(request.user)
    regions = Region.objects.none() if prefix is None else Region.objects.filter(code__startswith=prefix)
    cities = regions.filter(level="city").annotate(n_enterprises=Count("enterprises"))
    counties: dict[str, list[Region]] = {}
    for county in regions.filter(level="county"):
        counties.setdefault(county.parent_id, []).append(county)
    zones = Zone.objects.for_user(request.user).select_related("region")
    return render(request, "regions/list.html", {
        "cities": [(city, counties.get(city.code, [])) for city in cities],
        "zones": zones,
        "retired": RetiredRegion.objects.select_related("merged_into"),
        "county_count": sum(len(v) for v in counties.values()),
    })
