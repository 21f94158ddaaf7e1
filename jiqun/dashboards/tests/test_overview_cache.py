"""The overview's data is kept in the cache between writes: a repeated view is served from it, and any write
through a service (its audit event) or an approval (the summaries' state) is shown at the next view."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiqun.accounts.models import User
from jiqun.audit.services import audit_record
from jiqun.conftest import client_for
from jiqun.dashboards.overview import data_state
from jiqun.dashboards.summaries import summaries_changed

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def test_a_repeated_view_is_served_from_the_cache_until_a_write_or_an_approval():
    user = User.objects.get(username="jining")
    client = client_for(user)
    url = "/dashboards/regions/370800/"
    built, first = _queries(client, url)
    cached, again = _queries(client, url)
    assert cached < built / 3 and cached < 30
    assert again.context["page"].kpis == first.context["page"].kpis
    assert again.content.count(b"data-jchart") == first.content.count(b"data-jchart")

    audit_record(actor=user, action="update", object_type="test", object_id="1", object_repr="a write")
    assert _queries(client, url)[0] > cached * 3  # any write through a service: built again
    cached_again = _queries(client, url)[0]
    assert cached_again < built / 3

    before = data_state()
    summaries_changed(first.context["page"].programme.pk)  # an approval: the next view rebuilds, then reads
    assert data_state() != before


def _without_tokens(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def test_a_cached_view_is_the_page_built_afresh_with_its_own_filter_errors(as_province):
    from django.core.cache import cache

    url = "/dashboards/"
    cache.clear()
    built = as_province.get(url)
    count, cached = _queries(as_province, url)
    # the session, the user, the region (the scope check) and the data state; and the session and the fingerprint
    # the page is kept whole under (jiqun.dashboards.page_cache), read before Django loads the session
    assert count <= 6
    assert _without_tokens(cached.content) == _without_tokens(built.content)
    bad = as_province.get(url, {"tier": "bogus"})
    assert "集群层级“bogus”不是可选的层级" in bad.content.decode()
    assert "bogus" not in as_province.get(url).content.decode()  # the error is not kept with the cached filters
