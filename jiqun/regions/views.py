from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiqun.regions.models import Region, RetiredRegion, Zone
from jiqun.regions.selectors import visible_regions


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    regions = visible_regions(request.user)
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
