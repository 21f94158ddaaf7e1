"""Who may run and publish an evaluation. Who sees a run and its rows is decided in jiqun.accounts.scoping."""

import rules

from jiqun.accounts.models import Role
from jiqun.accounts.permissions import is_province_admin

# The province runs the yearly evaluation and publishes it (DESIGN §1); a city sees its clusters' results.
can_run_evaluation = is_province_admin
can_publish_evaluation = is_province_admin
can_load_scheme = is_province_admin

# Copying and editing a scheme version, and consulting experts on its AHP judgements, are the province's.
can_edit_scheme = is_province_admin
can_consult_experts = is_province_admin


def can_enter_judgements(user, invitation) -> bool:
    """Only the invited expert itself enters its AHP judgements."""
    return user.is_authenticated and invitation.expert.user_id == user.pk


@rules.predicate
def can_claim_bonus(user, region_code: str) -> bool:
    """A bonus claim (加分事项) is filed by the region's own officer: a city's for the city, a county's for the
    county (the region's own work, so neither the city for its counties nor the province files it)."""
    return (user.is_authenticated and user.role in {Role.CITY_OFFICER, Role.COUNTY_OFFICER}
            and user.region_id == region_code)


# The province decides claims (核定 / 不予核定), as it runs and publishes the evaluation.
can_decide_bonus = is_province_admin

# The province enters the on-site scores of a 观摩评比 (现场观摩得分), as it runs and publishes the run.
can_enter_observation = is_province_admin
