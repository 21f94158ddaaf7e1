from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jiqun.clusters.models import Cluster, ClusterProposal, Review, TierChange
from jiqun.core.admin import RoleAdmin


class TierChangeInline(admin.TabularInline):
    model = TierChange
    extra = 0
    readonly_fields = ["tier", "status", "effective_on", "basis", "recorded_by", "recorded_at"]
    can_delete = False


@admin.register(Cluster)
class ClusterAdmin(RoleAdmin, SimpleHistoryAdmin):
    list_display = ["name", "programme", "tier", "status"]
    list_filter = ["programme", "tier", "status"]
    search_fields = ["name", "industry"]
    inlines = [TierChangeInline]
    readonly_fields = ["programme", "code"]


@admin.register(ClusterProposal)
class ClusterProposalAdmin(RoleAdmin):
    list_display = ["cluster", "tier", "status", "proposer_name", "proposed_at", "state", "decided_by"]
    list_filter = ["state"]


@admin.register(Review)
class ReviewAdmin(RoleAdmin):
    """复核 rows, read-only: they are recorded and decided through the services (page, API, `jiqun reviews`)."""

    list_display = ["cluster", "recognised_on", "due_on", "outcome", "decided_by", "decided_at"]
    list_filter = ["outcome", "cluster__programme"]
    search_fields = ["cluster__name"]
    readonly_fields = ["cluster", "recognised_on", "due_on", "outcome", "basis", "decided_by", "decided_at"]
