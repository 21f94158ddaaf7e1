from django.db.models import QuerySet

from jiqun.accounts.scoping import region_row_q
from jiqun.regions.models import Region


def regions_for(user) -> QuerySet[Region]:
    """Cities and counties inside the user's scope: the ones it may place things in."""
    return Region.objects.filter(region_row_q(user)).exclude(level="province").distinct()


def visible_regions(user) -> QuerySet[Region]:
    """Every region the user may see, the province included when it is the user's."""
    return Region.objects.filter(region_row_q(user)).distinct()
