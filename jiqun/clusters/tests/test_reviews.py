"""复核: provincial clusters come up three years after recognition (鲁政办字〔2023〕185号 三(四)).

Due dates come from a dated tier history; the province's outcome moves the cluster through the move
services with the review as the basis; a city sees its clusters' reviews and cannot decide them.
"""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster, ClusterStatus, Review, ReviewOutcome, Tier, TierChange
from jiqun.clusters.selectors import TierHistory, provincial_since, review_state, years_after
from jiqun.clusters.services import cluster_change_status, cluster_change_tier, review_decide, reviews_due
from jiqun.clusters.tests.factories import make_cluster
from jiqun.conftest import client_for, token_client

pytestmark = pytest.mark.django_db

D = datetime.date


def provincial_cluster(recognised: datetime.date, region: str = "370800") -> Cluster:
    """A cluster named 100 days before `recognised`, provincial and 认定 from `recognised`."""
    cluster = make_cluster(region)
    cluster.tier_changes.update(effective_on=recognised - datetime.timedelta(days=100))  # as a pack dates it
    cluster_change_tier(actor=None, cluster=cluster, tier=Tier.PROVINCIAL, basis="测试认定", effective_on=recognised)
    cluster_change_status(actor=None, cluster=cluster, status=ClusterStatus.RECOGNISED, basis="测试认定",
                          effective_on=recognised)
    return Cluster.objects.get(pk=cluster.pk)


def review_of(cluster: Cluster, as_of: datetime.date) -> Review:
    reviews_due(as_of=as_of)
    return Review.objects.get(cluster=cluster, outcome="")


def counted_audit() -> int:
    return AuditEvent.objects.exclude(action="denied").count()


# --- due dates ---------------------------------------------------------------------------------------

def test_it_counts_three_years_from_the_day_the_cluster_became_provincial() -> None:
    cluster = provincial_cluster(D(2021, 3, 15))
    reviews_due(as_of=D(2024, 3, 1))
    review = Review.objects.get(cluster=cluster)
    assert (review.recognised_on, review.due_on) == (D(2021, 3, 15), D(2024, 3, 15))
    assert review_state(review, D(2024, 3, 1)) == "due"
    assert review_state(review, D(2024, 3, 16)) == "overdue"


def test_it_lists_a_review_only_within_half_a_year_of_its_due_date() -> None:
    cluster = provincial_cluster(D(2021, 3, 15))
    reviews_due(as_of=D(2023, 9, 1))  # due 2024-03-15 is 196 days ahead
    assert not Review.objects.filter(cluster=cluster).exists()
    reviews_due(as_of=D(2023, 9, 20))  # 177 days ahead
    assert Review.objects.filter(cluster=cluster).count() == 1


def test_a_leap_day_recognition_is_due_on_28_february() -> None:
    assert years_after(D(2020, 2, 29), 3) == D(2023, 2, 28)
    assert years_after(D(2021, 6, 30), 3) == D(2024, 6, 30)


def test_the_spell_restarts_after_the_tier_was_lost_and_regained() -> None:
    history = TierHistory(steps=((D(2018, 1, 1), ""), (D(2019, 5, 1), "provincial"), (D(2020, 1, 1), "provincial"),
                                 (D(2021, 1, 1), "city"), (D(2022, 7, 1), "provincial")),
                          current="provincial", recognised_on=D(2019, 5, 1))
    assert provincial_since(history, D(2020, 6, 1)) == D(2019, 5, 1)  # a repeated provincial step keeps the spell
    assert provincial_since(history, D(2021, 6, 1)) is None
    assert provincial_since(history, D(2025, 1, 1)) == D(2022, 7, 1)


def test_a_cluster_that_is_not_provincial_never_comes_up() -> None:
    cluster = make_cluster("370800")
    cluster.tier_changes.update(effective_on=D(2019, 1, 1))
    cluster_change_tier(actor=None, cluster=cluster, tier=Tier.CITY, basis="测试", effective_on=D(2019, 6, 1))
    reviews_due(as_of=D(2026, 1, 1))
    assert not Review.objects.filter(cluster=cluster).exists()


def test_the_next_review_comes_three_years_after_the_last_and_not_before_it_is_decided(province_admin) -> None:
    cluster = provincial_cluster(D(2020, 4, 1))
    first = review_of(cluster, D(2023, 4, 2))
    reviews_due(as_of=D(2026, 4, 2))  # the first is still open: nothing new
    assert Review.objects.filter(cluster=cluster).count() == 1
    review_decide(actor=province_admin, review=first, outcome=ReviewOutcome.KEPT, basis="专家评审通过")
    reviews_due(as_of=D(2026, 4, 2))
    assert list(Review.objects.filter(cluster=cluster).values_list("due_on", flat=True)) == [D(2023, 4, 1),
                                                                                             D(2026, 4, 1)]


def test_recording_the_reviews_twice_adds_nothing() -> None:
    provincial_cluster(D(2020, 4, 1))
    added = reviews_due(as_of=D(2023, 4, 2))
    assert added
    before = counted_audit()
    assert reviews_due(as_of=D(2023, 4, 2)) == []
    assert counted_audit() == before


def test_a_backdated_move_cannot_precede_the_history_or_lie_in_the_future() -> None:
    cluster = make_cluster("370800")
    cluster.tier_changes.update(effective_on=D(2022, 1, 1))
    for day in (D(2021, 12, 31), datetime.date.today() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            cluster_change_tier(actor=None, cluster=cluster, tier=Tier.PROVINCIAL, basis="测试", effective_on=day)
        assert "生效日期" in str(refused.value)
    assert TierChange.objects.filter(cluster=cluster).count() == 1


# --- the decision -----------------------------------------------------------------------------------

def test_warned_puts_the_cluster_on_warning_with_the_review_as_basis(province_admin) -> None:
    cluster = provincial_cluster(D(2020, 4, 1))
    review = review_of(cluster, D(2023, 4, 2))
    before = counted_audit()
    review_decide(actor=province_admin, review=review, outcome=ReviewOutcome.WARNED, basis="年度评价不合格")
    cluster.refresh_from_db()
    assert (cluster.tier, cluster.status) == (Tier.PROVINCIAL, ClusterStatus.WARNED)
    last = TierChange.objects.filter(cluster=cluster).last()
    assert last.status == ClusterStatus.WARNED
    assert f"复核 #{review.pk}" in last.basis and "年度评价不合格" in last.basis
    assert last.recorded_by == "sheng"
    review.refresh_from_db()
    assert (review.outcome, review.decided_by) == (ReviewOutcome.WARNED, "sheng")
    assert counted_audit() == before + 2  # the review's outcome and the status move


def test_withdrawn_removes_the_provincial_tier_and_the_cluster_exits(province_admin) -> None:
    cluster = provincial_cluster(D(2020, 4, 1))
    review = review_of(cluster, D(2023, 4, 2))
    review_decide(actor=province_admin, review=review, outcome=ReviewOutcome.WITHDRAWN, basis="不再符合认定条件")
    cluster.refresh_from_db()
    assert (cluster.tier, cluster.status) == ("", ClusterStatus.EXITED)
    moves = list(TierChange.objects.filter(cluster=cluster).order_by("-id")[:2])
    assert all(f"复核 #{review.pk}" in m.basis for m in moves)


def test_kept_recognises_a_warned_cluster_again(province_admin) -> None:
    cluster = provincial_cluster(D(2020, 4, 1))
    cluster_change_status(actor=None, cluster=cluster, status=ClusterStatus.WARNED, basis="测试预警")
    review = review_of(cluster, D(2023, 4, 2))
    review_decide(actor=province_admin, review=review, outcome=ReviewOutcome.KEPT, basis="整改到位")
    cluster.refresh_from_db()
    assert cluster.status == ClusterStatus.RECOGNISED


def test_a_city_cannot_decide_and_nothing_changes(jining_officer) -> None:
    cluster = provincial_cluster(D(2020, 4, 1))
    review = review_of(cluster, D(2023, 4, 2))
    before = (counted_audit(), TierChange.objects.filter(cluster=cluster).count())
    with pytest.raises(PermissionDenied):
        review_decide(actor=jining_officer, review=review, outcome=ReviewOutcome.WITHDRAWN, basis="市级意见")
    response = client_for(jining_officer).post(f"/clusters/reviews/{review.pk}/decide/",
                                               {"outcome": "withdrawn", "basis": "市级意见"})
    assert response.status_code == 403
    response = token_client(jining_officer).post(f"/api/v1/reviews/{review.pk}/decision", json.dumps(
        {"outcome": "withdrawn", "basis": "市级意见"}), content_type="application/json")
    assert response.status_code == 403
    review.refresh_from_db()
    cluster.refresh_from_db()
    assert (review.outcome, cluster.status) == ("", ClusterStatus.RECOGNISED)
    assert TierChange.objects.filter(cluster=cluster).count() == before[1]


@pytest.mark.parametrize(("outcome", "basis", "field", "words"), [
    ("kept", "  ", "basis", "复核依据"),
    ("closed", "理由", "outcome", "kept（保留）"),
])
def test_a_bad_decision_names_what_is_wrong_and_changes_nothing(province_admin, outcome, basis, field, words) -> None:
    cluster = provincial_cluster(D(2020, 4, 1))
    review = review_of(cluster, D(2023, 4, 2))
    before = counted_audit()
    with pytest.raises(ValidationError) as refused:
        review_decide(actor=province_admin, review=review, outcome=outcome, basis=basis)
    assert words in "".join(refused.value.message_dict[field])
    review.refresh_from_db()
    assert review.outcome == "" and counted_audit() == before


def test_a_review_is_decided_once(province_admin) -> None:
    cluster = provincial_cluster(D(2020, 4, 1))
    review = review_of(cluster, D(2023, 4, 2))
    review_decide(actor=province_admin, review=review, outcome=ReviewOutcome.KEPT, basis="通过")
    with pytest.raises(ValidationError) as refused:
        review_decide(actor=province_admin, review=review, outcome=ReviewOutcome.WITHDRAWN, basis="改判")
    assert "不能再次决定" in str(refused.value)
    cluster.refresh_from_db()
    assert cluster.status == ClusterStatus.RECOGNISED


def test_an_outcome_the_cluster_cannot_take_rolls_everything_back(province_admin) -> None:
    cluster = provincial_cluster(D(2020, 4, 1))
    review = review_of(cluster, D(2023, 4, 2))
    cluster_change_status(actor=None, cluster=cluster, status=ClusterStatus.EXITED, basis="测试退出")
    with pytest.raises(ValidationError) as refused:
        review_decide(actor=province_admin, review=review, outcome=ReviewOutcome.WARNED, basis="预警")
    assert "状态不能从“退出”变为“预警”" in str(refused.value)
    review.refresh_from_db()
    assert review.outcome == ""


# --- scoping ----------------------------------------------------------------------------------------

def test_a_city_sees_its_clusters_reviews_only(jining_officer, jinan_officer, province_admin) -> None:
    jining = provincial_cluster(D(2020, 4, 1), region="370800")
    jinan = provincial_cluster(D(2020, 4, 1), region="370100")
    reviews_due(as_of=D(2023, 4, 2))
    # each city sees its cluster's review and not the other's; any other it sees is of a demo cluster of its own
    for officer, own, other in ((jining_officer, jining, jinan), (jinan_officer, jinan, jining)):
        seen = set(Review.objects.for_user(officer).values_list("cluster", flat=True))
        assert own.pk in seen and other.pk not in seen
        assert seen <= set(Cluster.objects.for_user(officer).values_list("pk", flat=True))
    assert {jining.pk, jinan.pk} <= set(Review.objects.for_user(province_admin).values_list("cluster", flat=True))
    other = Review.objects.get(cluster=jinan)
    response = client_for(jining_officer).post(f"/clusters/reviews/{other.pk}/decide/",
                                               {"outcome": "kept", "basis": "x"})
    assert response.status_code == 404


# --- page, CLI, API ---------------------------------------------------------------------------------

def test_the_page_lists_reviews_and_the_province_decides_there(province_admin, jining_officer) -> None:
    cluster = provincial_cluster(D(2020, 4, 1))
    review = review_of(cluster, D(2023, 4, 2))
    page = client_for(jining_officer).get("/clusters/reviews/").content.decode()
    assert cluster.name in page and "已逾期" in page and "待省级决定" in page and "记录结论" not in page
    client = client_for(province_admin)
    assert "记录结论" in client.get("/clusters/reviews/").content.decode()
    response = client.post(f"/clusters/reviews/{review.pk}/decide/", {"outcome": "warned", "basis": "评价不合格"},
                           follow=True)
    assert "结论已记录：预警" in response.content.decode()
    cluster.refresh_from_db()
    assert cluster.status == ClusterStatus.WARNED
    response = client.post(f"/clusters/reviews/{review.pk}/decide/", {"outcome": "kept", "basis": ""}, follow=True)
    assert "未决定" in response.content.decode() and "复核依据" in response.content.decode()


def test_the_page_refuses_a_malformed_date_with_a_message(province_admin) -> None:
    response = client_for(province_admin).get("/clusters/reviews/?as_of=2023-13-40")
    assert response.status_code == 200
    assert "输入一个有效的日期" in response.content.decode()


def cli(*args: str) -> str:
    out = io.StringIO()
    call_command("reviews", *args, stdout=out)
    return out.getvalue()


def test_the_cli_lists_and_decides() -> None:
    cluster = provincial_cluster(D(2020, 4, 1))
    rows = json.loads(cli("list", "--as-of", "2023-04-02", "--json"))
    row = next(r for r in rows if r["cluster"] == cluster.pk)
    assert (row["due_on"], row["state"], row["recognised_on"]) == ("2023-04-01", "overdue", "2020-04-01")
    assert row["id"] is None  # listing is a read: the review is recorded when it is decided
    assert cluster.name in cli("list", "--as-of", "2023-04-02")
    out = cli("decide", "--cluster", str(cluster.pk), "--outcome", "warned", "--basis", "年度评价不合格",
              "--user", "sheng")
    assert "预警" in out
    cluster.refresh_from_db()
    assert cluster.status == ClusterStatus.WARNED


@pytest.mark.parametrize(("args", "words"), [
    (("list", "--as-of", "2023-02-30"), "--as-of"),
    (("decide", "999999", "--outcome", "kept", "--basis", "x"), "不存在"),
    (("decide", "REVIEW", "--outcome", "kept", "--basis", " "), "复核依据"),
    (("decide", "REVIEW", "--outcome", "kept", "--basis", "x", "--user", "jining"), "省级"),
])
def test_the_cli_refuses_bad_input_naming_it(args, words) -> None:
    cluster = provincial_cluster(D(2020, 4, 1))
    review = review_of(cluster, D(2023, 4, 2))
    args = tuple(str(review.pk) if a == "REVIEW" else a for a in args)
    with pytest.raises(CommandError) as refused:
        cli(*args)
    assert words in str(refused.value)
    review.refresh_from_db()
    assert review.outcome == ""


def test_the_api_lists_and_decides(province_admin, jining_officer) -> None:
    cluster = provincial_cluster(D(2020, 4, 1))
    review = review_of(cluster, D(2023, 4, 2))
    rows = token_client(jining_officer).get("/api/v1/reviews?as_of=2023-04-02").json()
    assert [r["id"] for r in rows] == [review.pk] and rows[0]["state"] == "overdue"
    client = token_client(province_admin)
    url = f"/api/v1/reviews/{review.pk}/decision"
    response = client.post(url, json.dumps({"outcome": "kept", "basis": "x", "tier": ""}),
                           content_type="application/json")
    assert response.status_code == 422  # an unknown field is refused, not ignored
    response = client.post(url, json.dumps({"outcome": "withdrawn", "basis": ""}), content_type="application/json")
    assert response.status_code == 400 and "复核依据" in response.json()["detail"]
    response = client.post(url, json.dumps({"outcome": "withdrawn", "basis": "撤销认定"}),
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "withdrawn" and response.json()["state"] == "decided"
    cluster.refresh_from_db()
    assert (cluster.tier, cluster.status) == ("", ClusterStatus.EXITED)


def test_the_demo_has_reviews_for_two_recognised_sd_2023_185_clusters() -> None:
    demo = Review.objects.filter(cluster__programme__code="SD-2023-185")
    expected = {("new-energy-equipment", D(2023, 11, 30), D(2026, 11, 30)),
                ("intelligent-manufacturing-equipment", D(2023, 12, 20), D(2026, 12, 20))}
    listed_from = datetime.date.today() + datetime.timedelta(days=180)
    assert set(demo.values_list("cluster__code", "recognised_on", "due_on")) == {
        e for e in expected if e[2] <= listed_from}
    assert all("演示数据" in t.basis for t in TierChange.objects.filter(
        cluster__programme__code="SD-2023-185", tier=Tier.PROVINCIAL))


@pytest.mark.parametrize("basis, said", [("bad\x07\x1b[31mred", "控制字符"), ("长" * 151, "最多 150 个字符")])
def test_a_basis_with_control_characters_or_too_long_is_refused_and_nothing_changes(province_admin, basis, said):
    cluster = provincial_cluster(D(2020, 4, 1))
    review = review_of(cluster, D(2023, 4, 2))
    before = counted_audit()
    with pytest.raises(ValidationError) as refused:
        review_decide(actor=province_admin, review=review, outcome=ReviewOutcome.WARNED, basis=basis)
    assert said in " ".join(refused.value.messages)
    review.refresh_from_db()
    cluster.refresh_from_db()
    assert review.outcome == "" and cluster.status != ClusterStatus.WARNED and counted_audit() == before
