from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jiqun.clusters.models import Cluster, TierChange
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

    def save_model(self, request, obj, form, change):
        from jiqun.clusters.services import cluster_update

        if change:
            fields = {f: form.cleaned_data[f] for f in form.changed_data if f in
                      ("name", "kind", "tier", "status", "industry", "industry_codes", "promotion_org", "chief",
                       "description")}
            cluster_update(actor=request.user, cluster=type(obj).objects.get(pk=obj.pk), **fields)
        else:
            super().save_model(request, obj, form, change)
