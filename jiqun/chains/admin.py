from django.contrib import admin

from jiqun.chains.models import (
    Chain,
    ChainRevision,
    OutsideCompany,
    Placement,
    Prospect,
    ProspectEvent,
    Segment,
    SupplyLink,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Chains change through jiqun.chains.services only; the admin shows them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


for model in (Chain, ChainRevision, Segment, OutsideCompany, Placement, SupplyLink, Prospect, ProspectEvent):
    admin.site.register(model, ReadOnlyAdmin)
