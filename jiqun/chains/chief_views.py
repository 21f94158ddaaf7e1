"""The 链长 persona's pages: “我的产业链” (the chains the user leads) and one chain as its chief reads it.

Read-only: they link to the pages where each thing is done (the chain map, the 招引名录, the project library,
targets and supervision, the checklist). A chain outside the user's scope is a 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from jiqun.accounts.models import Role
from jiqun.chains.chief_selectors import chains_led, chief_view
from jiqun.chains.models import Chain


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Every chain the user leads, each with its gaps, 招引名录, projects, targets, checklist and tasks."""
    views = [chief_view(request.user, chain) for chain in chains_led(request.user)]
    return render(request, "chains/chief_home.html", {
        "views": views, "is_leader": request.user.role == Role.LEADER,
    })


@require_safe
@login_required
def chain(request: HttpRequest, pk: int) -> HttpResponse:
    """One chain the user sees, as its chief reads it (a leader or officer whose region covers the chain too)."""
    found = get_object_or_404(Chain.objects.for_user(request.user).select_related("region", "chief", "chain_leader")
                              .prefetch_related("clusters"), pk=pk)
    return render(request, "chains/chief_chain.html", {"view": chief_view(request.user, found)})
