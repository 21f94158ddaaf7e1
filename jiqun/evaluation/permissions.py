"""Who may run and publish an evaluation. Who sees a run and its rows is decided in jiqun.accounts.scoping."""

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
