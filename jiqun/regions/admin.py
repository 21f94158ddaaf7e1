from django.contrib import admin

from jiqun.core.admin import RoleAdmin
from jiqun.regions.models import Region, Zone


@admin.register(Region)
class RegionAdmin(RoleAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Zone)
class ZoneAdmin(RoleAdmin):
    list_display = ["name", "kind", "level", "region", "longitude", "latitude"]
    list_filter = ["kind", "level"]
    search_fields = ["name"]
