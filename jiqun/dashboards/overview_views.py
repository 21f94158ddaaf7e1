"""The province / city / county overview pages; the data is built by jiqun.dashboards.overview."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from jiqun.accounts.scoping import by_clusters, region_row_q, sees_region_totals
from jiqun.clusters.models import Cluster
from jiqun.dashboards import overview as O
from jiqun.dashboards.charts import chart_download
from jiqun.dashboards.page_cache import whole_page_per_session
from jiqun.dashboards.selectors import Summaries
from jiqun.regions.models import Region, RegionLevel


@whole_page_per_session
@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The overview of the user's own region; whose scope is clusters is sent to its first cluster's page."""
    user = request.user
    if by_clusters(user):
        cluster = Cluster.objects.for_user(user).order_by("pk").first()
        if cluster is None:
            raise Http404
        return redirect("clusters:detail", cluster.pk)
    if not user.region_id or not sees_region_totals(user, user.region_id):
        raise Http404
    region = get_object_or_404(Region.objects.filter(region_row_q(user)), code=user.region_id)
    user.region = region  # the same row: the page's header (base.html) shows its name without reading it again
    return _page(request, region)


@whole_page_per_session
@login_required
@require_GET
def region(request: HttpRequest, code: str) -> HttpResponse:
    """The overview of a region inside the user's scope (404 outside it)."""
    if not (code.isdigit() and len(code) == 6) or not sees_region_totals(request.user, code):
        raise Http404
    return _page(request, get_object_or_404(Region.objects.filter(region_row_q(request.user)), code=code))


def _page(request: HttpRequest, region: Region) -> HttpResponse:
    user = request.user
    # Everything below but the submitted form and its errors is a function of the data state
    # (overview.data_state), the user, the language and the day: kept in the cache, rendered HTML included.
    state = O.data_state()

    def frame():
        cities = O.child_regions(region) if region.level == RegionLevel.PROVINCE else []
        return O.reporting_programmes(), cities, _parent(user, region)

    programmes, cities, parent = O.cached(state, user, ("frame", region.code), frame)
    form = O.OverviewFilterForm(request.GET, programmes=programmes, cities=cities)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    if data.get("city"):  # narrowing the province to a city is opening the city's overview
        query = {k: v for k, v in request.GET.items() if k not in ("city", "chart")}
        url = O.region_overview_url(data["city"])
        return redirect(f"{url}?{urlencode(query)}" if query else url)
    wanted = data.get("programme") or ""
    only = request.GET.get("chart") or None

    def choose():
        read: dict = {}  # the periods default_programme read, by programme
        programme = ({p.code: p for p in programmes}.get(wanted)
                     or O.default_programme(user, region, programmes, read))
        if programme is None:
            return None, []
        return programme, read[programme.pk] if programme.pk in read else Summaries(user, programme).periods()

    programme, periods = O.cached(state, user, ("choice", region.code, wanted), choose)
    period = O.parse_period(form, periods) or (periods[0] if periods else None)
    tier = data.get("tier") or ""
    map_indicator = data.get("map") or "clusters"
    page_key = ("page", region.code, programme.pk if programme else None, period, tier, map_indicator, only)

    def page():  # read from the cache only when something is drawn from it: it is most of the cached bytes
        return O.cached(state, user, page_key,
                        lambda: O.build_overview(user, region=region, programme=programme, period=period, tier=tier,
                                                 map_indicator=map_indicator, only=only))

    if only:
        response = chart_download(request, page().charts, subject=region.name)
        if response is not None:
            return response
    chosen = {"programme": programme.code if programme else "", "tier": tier, "map": map_indicator,
              "period": O.period_value(*period) if period else ""}
    query = urlencode({k: v for k, v in chosen.items() if v})
    # The body below the filters depends on the region, the page and the query only: rendered once per key.
    body = O.cached(state, user, ("body", region.code, query, page_key),
                    lambda: mark_safe(render_to_string("dashboards/_overview_body.html",  # noqa: S308 - our template
                                                       {"region": region, "page": page(), "query": query})))

    def filters():  # the filters as chosen (not as submitted: a bad value is shown in `errors`, not here)
        shown = O.OverviewFilterForm(None, programmes=programmes, cities=cities)
        shown.initial.update(chosen)
        shown.set_periods(periods, period)
        return mark_safe(render_to_string("dashboards/_overview_filters.html", {"form": shown}))  # noqa: S308

    return render(request, "dashboards/overview.html", {
        "region": region, "page": SimpleLazyObject(page), "errors": form.errors, "query": query, "body": body, "parent": parent,
        "filters": O.cached(state, user, ("filters", region.code, query), filters),
    })


def _parent(user, region: Region) -> Region | None:
    """The region above, when the user may open its overview (the way back up)."""
    from jiqun.regions.models import parent_code

    code = parent_code(region.code)
    if code and sees_region_totals(user, code):
        return Region.objects.filter(code=code).first()
    return None
