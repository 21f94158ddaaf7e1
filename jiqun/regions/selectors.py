from django.db.models import QuerySet

from jiqun.accounts.scoping import visible_prefix
from jiqun.regions.models import Region


def regions_for(user) -> QuerySet[Region]:
    """Cities and counties inside the user's region: the ones it may place things in."""
    prefix = visible_prefix(user)
    if prefix is None:
        return Region.objects.none()
    return Region.objects.filter(code__startswith=prefix).exclude(level="province")
