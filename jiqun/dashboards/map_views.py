"""The dashboards' maps: the province map file (GeoJSON, from this server only) and the 地图 page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiqun.dashboards.charts import chart_download
from jiqun.dashboards.maps import MapFileError, clusters_by_city, map_file


@login_required
@require_GET
def map_geojson(request: HttpRequest, name: str) -> HttpResponse:
    """The map file the setting JIQUN_MAP_GEOJSON names, checked. When it cannot be served the answer is 404
    with a short reason (the file's path and the problem are in the server log) and the page draws bars."""
    try:
        found = map_file(name)
    except MapFileError:
        return JsonResponse({"error": _("地图“%(name)s”暂不可用，已改为柱状图显示；原因见服务器日志") % {"name": name[:40]}},
                            status=404, json_dumps_params={"ensure_ascii": False})
    response = HttpResponse(found.content, content_type="application/geo+json; charset=utf-8")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def maps(request: HttpRequest) -> HttpResponse:
    """地图: the province map of clusters per city, with the parks that have coordinates as points."""
    charts = [clusters_by_city(request.user)]
    download = chart_download(request, charts, subject=_("地图"))
    if download is not None:
        return download
    return render(request, "dashboards/maps.html", {"charts": charts})
