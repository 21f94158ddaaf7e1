"""Who may file, review and approve a project's quarterly dispatch. Visibility is `Dispatch.objects.for_user`.

Filing is the project's keepers' (the county, city or province officer who may change the project); review and
approval follow the statistics reports' chain over the project's region (jiqun.monitoring.permissions).
"""

import rules

from jiqun.monitoring.permissions import can_open_period, can_review_province, region_review_predicates
from jiqun.projects.permissions import can_edit_project


def _dispatch_regions(dispatch) -> list[str]:
    return [dispatch.project.region_id]


@rules.predicate
def keeps_dispatch(user, dispatch) -> bool:
    """Whether the user is one of those who file this dispatch, whatever its status."""
    return can_edit_project(user, dispatch.project)


@rules.predicate
def can_fill_dispatch(user, dispatch) -> bool:
    return user.is_authenticated and dispatch.editable and keeps_dispatch(user, dispatch)


can_review_dispatch_city, can_approve_dispatch_city, can_return_dispatch = region_review_predicates(_dispatch_regions)
can_approve_dispatch_province = can_review_province
can_open_dispatches = can_open_period


@rules.predicate
def has_filled_dispatch(user, dispatch) -> bool:
    """Whether the user saved the dispatch's figures (page, Excel, API) or submitted it: 填报 in separation of
    duties."""
    username = getattr(user, "username", "")
    if not username:
        return False
    return username in (dispatch.filled_by or []) or dispatch.events.filter(action="submit",
                                                                              actor_name=username).exists()
