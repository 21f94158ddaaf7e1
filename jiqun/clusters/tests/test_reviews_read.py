"""复核 lists are reads: the page, the API and the CLI list the reviews due without recording them; a due
review is recorded when the province decides it, or by `jiqun reviews open --year`."""

import datetime
import io
import json

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import ClusterStatus, Review
from jiqun.clusters.services import review_decide_due
from jiqun.clusters.tests.test_reviews import D, provincial_cluster
from jiqun.conftest import client_for, token_client

pytestmark = pytest.mark.django_db


def written() -> tuple[int, int]:
    return Review.objects.count(), AuditEvent.objects.exclude(action="denied").exclude(action="login").count()


def test_listing_the_page_writes_nothing_and_shows_the_due_review(province_admin, jining_officer):
    cluster = provincial_cluster(D(2020, 4, 1))
    before = written()
    for user in (province_admin, jining_officer):
        page = client_for(user).get("/clusters/reviews/?as_of=2023-04-02").content.decode()
        assert cluster.name in page and "已逾期" in page
    assert written()[0] == before[0]
    assert not Review.objects.filter(cluster=cluster).exists()


def test_the_province_decides_a_due_review_on_the_page_which_records_it(province_admin):
    cluster = provincial_cluster(D(2020, 4, 1))
    client = client_for(province_admin)
    page = client.get("/clusters/reviews/").content.decode()
    assert f"/clusters/reviews/due/{cluster.pk}/decide/" in page
    response = client.post(f"/clusters/reviews/due/{cluster.pk}/decide/",
                           {"outcome": "warned", "basis": "评价不合格", "due_on": "2023-04-01"}, follow=True)
    assert "结论已记录：预警" in response.content.decode()
    review = Review.objects.get(cluster=cluster)
    assert (review.due_on, review.outcome) == (D(2023, 4, 1), "warned")
    cluster.refresh_from_db()
    assert cluster.status == ClusterStatus.WARNED


@pytest.mark.parametrize(("body", "words"), [
    ({"outcome": "warned", "basis": ""}, "复核依据"),
    ({"outcome": "maybe", "basis": "x"}, "复核结论"),
    ({"outcome": "kept", "basis": "x", "due_on": "2024-02-30"}, "复核到期日"),
    ({"outcome": "kept", "basis": "x", "due_on": "2024-01-01"}, "没有待记录的复核"),
])
def test_a_bad_decision_of_a_due_review_names_it_and_records_nothing(province_admin, body, words):
    cluster = provincial_cluster(D(2020, 4, 1))
    before = written()
    response = client_for(province_admin).post(f"/clusters/reviews/due/{cluster.pk}/decide/", body, follow=True)
    assert words in response.content.decode()
    assert written() == before


def test_a_city_cannot_decide_a_due_review(jining_officer):
    cluster = provincial_cluster(D(2020, 4, 1))
    with pytest.raises(PermissionDenied):
        review_decide_due(actor=jining_officer, cluster=cluster, outcome="kept", basis="x")
    assert client_for(jining_officer).post(f"/clusters/reviews/due/{cluster.pk}/decide/",
                                           {"outcome": "kept", "basis": "x"}).status_code == 403
    assert not Review.objects.filter(cluster=cluster).exists()


def test_a_refused_decision_rolls_back_the_recorded_review(province_admin):
    cluster = provincial_cluster(D(2020, 4, 1))
    with pytest.raises(ValidationError):
        review_decide_due(actor=province_admin, cluster=cluster, outcome="kept", basis="长" * 151)
    assert not Review.objects.filter(cluster=cluster).exists()


def test_the_api_lists_without_writing_and_decides_a_due_review(province_admin, jining_officer):
    cluster = provincial_cluster(D(2020, 4, 1))
    before = Review.objects.count()
    rows = token_client(jining_officer).get("/api/v1/reviews?as_of=2023-04-02").json()
    row = next(r for r in rows if r["cluster"] == cluster.pk)
    assert row["id"] is None and row["state"] == "overdue"
    assert Review.objects.count() == before
    url = f"/api/v1/reviews/due/{cluster.pk}/decision"
    denied = token_client(jining_officer).post(url, json.dumps({"outcome": "kept", "basis": "x"}),
                                               content_type="application/json")
    assert denied.status_code == 403
    api = token_client(province_admin)
    refused = api.post(url, json.dumps({"outcome": "kept", "basis": ""}), content_type="application/json")
    assert refused.status_code == 400 and "复核依据" in refused.json()["detail"]
    assert Review.objects.count() == before
    done = api.post(url, json.dumps({"outcome": "kept", "basis": "保留", "due_on": "2023-04-01"}),
                    content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["id"] == Review.objects.get(cluster=cluster).pk and done.json()["state"] == "decided"


def cli(*args: str) -> str:
    out = io.StringIO()
    call_command("reviews", *args, stdout=out)
    return out.getvalue()


def test_the_cli_lists_without_writing_and_opens_a_year_explicitly():
    cluster = provincial_cluster(D(2020, 4, 1))
    before = Review.objects.count()
    assert cluster.name in cli("list")
    assert Review.objects.count() == before
    assert "已记录" in cli("open", "--year", "2023")
    review = Review.objects.get(cluster=cluster)
    assert review.due_on == D(2023, 4, 1)
    assert AuditEvent.objects.filter(object_type="clusters.review", object_id=str(review.pk), action="create").exists()
    rows = json.loads(cli("list", "--json"))
    assert next(r for r in rows if r["cluster"] == cluster.pk)["id"] == review.pk


@pytest.mark.parametrize(("args", "words"), [
    (("open", "--year", "1999"), "--year"),
    (("open", "--year", str(datetime.date.today().year + 5)), "--year"),
    (("decide", "--outcome", "kept", "--basis", "x"), "二者取一"),
    (("decide", "--cluster", "999999", "--outcome", "kept", "--basis", "x"), "--cluster"),
])
def test_the_cli_refuses_bad_arguments_naming_them(args, words):
    before = Review.objects.count()
    with pytest.raises(CommandError) as refused:
        cli(*args)
    assert words in str(refused.value)
    assert Review.objects.count() == before


def test_reviews_are_read_only_in_the_admin(province_admin):
    admin = site._registry[Review]
    request = type("R", (), {"user": province_admin})()
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
    assert not admin.has_delete_permission(request)
