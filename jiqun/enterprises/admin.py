from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jiqun.core.admin import RoleAdmin
from jiqun.enterprises.models import Enterprise, EnterpriseScale, Honour, InnovationCarrier, Membership


class HonourInline(admin.TabularInline):
    model = Honour
    extra = 0


class ScaleInline(admin.TabularInline):
    model = EnterpriseScale
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["cluster"]


@admin.register(Enterprise)
class EnterpriseAdmin(RoleAdmin, SimpleHistoryAdmin):
    list_display = ["name", "credit_code", "region", "source"]
    list_filter = ["source"]
    search_fields = ["name", "full_name", "credit_code"]
    inlines = [MembershipInline, HonourInline, ScaleInline]


@admin.register(InnovationCarrier)
class CarrierAdmin(RoleAdmin):
    list_display = ["name", "kind", "level", "host", "region"]
    list_filter = ["level", "kind"]
