"""What a user may do in a 赛马 round. Visibility itself is decided in `jiqun.accounts.scoping`."""

import rules

from jiqun.accounts.models import Role
from jiqun.accounts.permissions import is_province_admin, owns_cluster

# The province runs rounds: calls, the expert library, assignments, 公示 and objections.
can_manage_rounds = is_province_admin


@rules.predicate
def is_applicant_role(user) -> bool:
    return user.is_authenticated and user.role in (Role.CLUSTER_ORG, Role.CITY_OFFICER)


# A cluster organisation for its clusters, a city officer for the clusters inside its city.
can_apply_for = is_applicant_role & owns_cluster


@rules.predicate
def is_assigned_expert(user, assignment) -> bool:
    return (user.is_authenticated and user.role == Role.EXPERT
            and assignment.expert.user_id is not None and assignment.expert.user_id == user.pk)


can_score = is_assigned_expert

# Attachments are the applicant's: whoever may apply for the cluster adds and deletes them (while the call is
# 申报中 and before its deadline, checked by the service). Who may read them is the application's scope.
can_attach = can_apply_for
