"""Every request and response schema of the API has its own name: django-ninja names OpenAPI components after
the classes, so two classes of one name in two modules silently share one component (the later wins), and
the document then describes one operation with the other's fields."""

import inspect
from collections import defaultdict

from ninja import Schema

from jiqun.api.views import api


def test_no_two_api_schemas_share_a_name():
    api.get_openapi_schema()  # imports every router
    seen: dict[str, set[str]] = defaultdict(set)
    pending = list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        module = inspect.getmodule(cls)
        if module is not None and module.__name__.startswith("jiqun."):
            seen[cls.__name__].add(module.__name__)
    assert {name: sorted(mods) for name, mods in seen.items() if len(mods) > 1} == {}
