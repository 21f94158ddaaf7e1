"""The query string keeps the document's word: a single value is given once, absent text is not null."""

import pytest

from jiqun.audit.models import AuditEvent
from jiqun.core.text import PATTERN
from jiqun.targets.models import ProgressStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("path", "query", "name"), [
    ("/api/v1/tasks", "programme=a&programme=b", "programme"),
    ("/api/v1/clusters", "status=cultivating&status=ranked", "status"),
    ("/api/v1/enterprises", "region=370800&region=370100", "region"),
    ("/api/v1/reports", "status=draft&status=submitted", "status"),
    ("/api/v1/regions", "limit=1&level=city&level=county", "level"),
    ("/api/v1/clusters", "limit=5&limit=6", "limit"),
])
def test_it_refuses_a_single_valued_query_parameter_given_twice(api_province, path, query, name):
    events = AuditEvent.objects.exclude(action="denied").count()
    response = api_province.get(f"{path}?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][name] == ["只能给一个值，却给了 2 个"]
    assert name in body["detail"] and "只能给一个值" in body["detail"]
    assert AuditEvent.objects.exclude(action="denied").count() == events, "a refused query writes nothing"


def test_it_names_every_repeated_parameter_at_once(api_province):
    response = api_province.get("/api/v1/tasks?programme=a&programme=b&status=x&status=y&status=z")
    assert response.status_code == 422
    assert response.json()["errors"] == {"programme": ["只能给一个值，却给了 2 个"],
                                         "status": ["只能给一个值，却给了 3 个"]}


def test_a_list_parameter_may_be_given_several_times(api_province):
    first, second = ProgressStatus.values[:2]
    response = api_province.get(f"/api/v1/targets?status={first}&status={second}")
    assert response.status_code == 200


def test_a_single_value_given_once_is_accepted(api_province):
    assert api_province.get("/api/v1/tasks?programme=nothing-of-that-code").json()["items"] == []


def test_the_document_never_calls_a_text_query_parameter_null(client):
    # A query string cannot carry null ("null" there is four letters), and absent text is read as empty. (Dates
    # and numbers may still say null: whatever a client sends in its place fails their parsing with a 422.)
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schemas = parameter["schema"].get("anyOf", [parameter["schema"]])
                if parameter["in"] == "query" and any(s.get("pattern") == PATTERN for s in schemas):
                    assert {s.get("type") for s in schemas} == {"string"}, f"{method.upper()} {path} ?{parameter['name']}"


def test_the_region_filters_declare_their_400(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/clusters", "/api/v1/enterprises"):
        assert "400" in paths[path]["get"]["responses"]
