"""Schemathesis sends generated requests to every operation; none may end in a server error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from jiqun.api.tests.conftest import bearer_headers
from jiqun.config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


pytestmark = pytest.mark.usefixtures("keep_test_connection")


@pytest.fixture
def auth_headers(db) -> dict[str, str]:
    return bearer_headers("jining", "fuzz")


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_request_ends_in_a_server_error(case, auth_headers):
    case.call_and_validate(headers=auth_headers, checks=[not_a_server_error])
