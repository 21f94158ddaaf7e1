"""The API's Swagger UI, served from the platform's own static files (no CDN: intranets are offline)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from jiqun.api.views import api


@login_required
def api_docs(request: HttpRequest) -> HttpResponse:
    """Show Swagger UI for the OpenAPI document; a static script starts it, as the CSP allows no inline one."""
    return render(request, "api/docs.html", {"api": api, "openapi_url": reverse("api:openapi-json")})
