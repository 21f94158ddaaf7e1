"""Findings of an outside tester's attack on the chains: each test failed before its fix.

Stale forms and API bodies with versions no record can reach; signing a 招引名录 entry with a project of another
city; and the other holes found by trying other personas' objects and hostile input."""

import datetime
import json
from decimal import Decimal

import pytest

from jiqun.audit.models import AuditEvent
from jiqun.chains.models import Prospect, ProspectStatus, SupplyLink
from jiqun.chains.prospect_services import prospect_create, prospect_move
from jiqun.chains.tests.pages_fixtures import World, build
from jiqun.conftest import client_for, token_client
from jiqun.projects.models import Project
from jiqun.projects.services import project_create
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db

DAY = datetime.date.today() - datetime.timedelta(days=30)
HUGE = "99999999999999999999"  # beyond a 64-bit integer


@pytest.fixture
def world() -> World:
    return build("T-ATK")


@pytest.fixture
def contact(world, jining_officer) -> Prospect:
    """An entry in talks on the chain's missing upstream segment."""
    entry = prospect_create(actor=jining_officer, segment=world.parts, company_name="江苏攻击测试液压有限公司",
                            company_place="江苏省常州市", priority="high", on=DAY)
    return prospect_move(actor=jining_officer, prospect=entry, to_status="contact", on=DAY, base_version=1)


def _events() -> int:
    return AuditEvent.objects.count()


# --- a version no record can reach --------------------------------------------------------------------

def test_a_form_based_on_a_huge_version_is_refused_as_stale_not_a_server_error(world, jining_officer, contact):
    client = client_for(jining_officer)
    link = world.link
    before = _events()
    posts = {
        f"/chains/{world.chain.pk}/edit/": {"name": "改名", "region": "370800", "local_scope": "city"},
        f"/chains/segment/{world.parts.pk}/edit/": {"name": "改名", "position": "upstream", "kind": "product"},
        f"/chains/link/{link.pk}/edit/": {"year": "2025", "amount": "1"},
        f"/chains/placement/{world.leader.pk}/remove/": {},
        f"/chains/link/{link.pk}/remove/": {},
        f"/chains/prospects/{contact.pk}/edit/": {"priority": "low"},
        f"/chains/prospects/{contact.pk}/move/": {"to_status": "dropped", "on": DAY.isoformat(), "note": "不再跟进"},
    }
    for url, data in posts.items():
        response = client.post(url, {**data, "version": HUGE})
        assert response.status_code in (200, 302), (url, response.status_code)
    assert _events() == before
    link.refresh_from_db()
    assert link.amount == Decimal("1234.50") and SupplyLink.objects.filter(pk=link.pk).exists()
    contact.refresh_from_db()
    assert contact.status == ProspectStatus.CONTACT and contact.priority == "high"


def test_an_api_body_based_on_a_huge_version_is_refused_as_stale(contact, jining_officer):
    api = token_client(jining_officer)
    before = _events()
    for method, url, body in [
        ("PATCH", f"/api/v1/prospects/{contact.pk}", {"priority": "low"}),
        ("POST", f"/api/v1/prospects/{contact.pk}/move", {"to_status": "dropped", "on": DAY.isoformat(), "note": "x"}),
        ("POST", f"/api/v1/prospects/{contact.pk}/sign", {"on": DAY.isoformat(), "total_investment": "100"}),
    ]:
        response = api.generic(method, url, json.dumps({**body, "version": int(HUGE)}), content_type="application/json")
        assert response.status_code == 412, (url, response.status_code, response.content[:200])
    assert _events() == before


# --- signing with another city's project ----------------------------------------------------------------

def test_signing_with_a_project_outside_the_chain_region_is_refused(contact, province_admin, jinan_officer):
    """The province sees every project; a Jinan project still cannot fill a segment of a Jining chain."""
    jinan_project = project_create(actor=jinan_officer, name="济南某液压项目", region=Region.objects.get(code="370102"),
                                   investor_name="某公司", total_investment=Decimal(800), kind="investment")
    api = token_client(province_admin)
    before = _events()
    response = api.post(f"/api/v1/prospects/{contact.pk}/sign",
                        json.dumps({"on": DAY.isoformat(), "version": contact.version, "project": jinan_project.pk}),
                        content_type="application/json")
    assert response.status_code == 400, response.content
    assert "project" in response.json()["errors"] and "牵头区划" in response.json()["errors"]["project"][0]
    assert _events() == before
    contact.refresh_from_db()
    jinan_project.refresh_from_db()
    assert contact.status == ProspectStatus.CONTACT and contact.project is None
    assert jinan_project.chain_segment is None and not Project.objects.filter(chain_segment=contact.segment).exists()


# --- query counts -----------------------------------------------------------------------------------------

def test_the_chain_page_and_its_api_read_the_same_number_of_queries_however_many_segments(world, jining_officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiqun.chains.services import placement_add, segment_add, supply_link_add
    from jiqun.enterprises.models import Enterprise

    client, api = client_for(jining_officer), token_client(jining_officer)
    urls = [(client, f"/chains/{world.chain.pk}/"), (client, f"/chains/segment/{world.parts.pk}/"),
            (client, f"/chains/chief/{world.chain.pk}/"), (api, f"/api/v1/chains/{world.chain.pk}"),
            (api, f"/api/v1/chains/{world.chain.pk}/gaps")]

    def counted() -> list[int]:
        found = []
        for who, url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert who.get(url).status_code == 200, url
            found.append(len(queries))
        return found

    counted()  # the first request of a session refreshes its idle timeout (a write): not a page's own queries
    before = counted()
    local = list(Enterprise.objects.filter(region__code__startswith="3708").order_by("pk")[1:7])
    for i, enterprise in enumerate(local):
        segment = segment_add(actor=jining_officer, chain=world.chain, code=f"X{i}", name=f"新增环节{i}",
                              position="midstream", parent=world.assembly if i % 2 else None)
        placement_add(actor=jining_officer, segment=segment, enterprise=enterprise, role="backbone")
        supply_link_add(actor=jining_officer, segment=segment, year=2025, buyer=world.local, supplier=enterprise,
                        amount=Decimal(100 + i))
    assert counted() == before
