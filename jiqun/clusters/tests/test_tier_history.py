"""A cluster's tier on a date comes from its tier history; counts and pack installs rely on it."""

import datetime

import pytest
import yaml

from jiqun.clusters.models import Cluster, TierChange
from jiqun.clusters.selectors import TierHistory, cluster_tier_on, tier_histories
from jiqun.clusters.services import cluster_change_tier
from jiqun.programmes.packs import indicators_parse, pack_parse
from jiqun.programmes.services import pack_install
from jiqun.targets.selectors import target_rows
from jiqun.targets.tests.helpers import make_cluster, make_programme, make_target, row_of

pytestmark = pytest.mark.django_db
D = datetime.date


def _recognised_nationally_on(cluster: Cluster, day: datetime.date, actor) -> None:
    """Registered (provincial) on 2023-01-01, national from `day`: the history a recognition leaves."""
    cluster.tier_changes.update(effective_on=D(2023, 1, 1))
    cluster_change_tier(actor=actor, cluster=cluster, tier="national", basis="测试：国家级集群名单")
    TierChange.objects.filter(cluster=cluster, tier="national").update(effective_on=day)


def test_the_tier_on_a_date_is_the_last_step_in_force(province_admin):
    cluster = make_cluster(make_programme(code="TEST-TIER"), "370102", name="甲", tier="provincial")
    _recognised_nationally_on(cluster, D(2024, 6, 30), province_admin)
    assert cluster_tier_on(cluster, D(2022, 12, 31)) == ""  # not yet registered
    assert cluster_tier_on(cluster, D(2023, 1, 1)) == "provincial"
    assert cluster_tier_on(cluster, D(2024, 6, 29)) == "provincial"
    assert cluster_tier_on(cluster, D(2024, 6, 30)) == "national"
    assert cluster_tier_on(cluster, D(2030, 1, 1)) == "national"


def test_without_history_the_current_tier_holds_from_recognised_on():
    assert TierHistory((), "national", D(2024, 3, 1)).on(D(2024, 2, 29)) == ""
    assert TierHistory((), "national", D(2024, 3, 1)).on(D(2024, 3, 1)) == "national"
    assert TierHistory((), "national", None).on(D(1990, 1, 1)) == "national"  # nothing says when: always


def test_histories_are_read_for_many_clusters_at_once(province_admin):
    programme = make_programme(code="TEST-TIER-MANY")
    a = make_cluster(programme, "370102", name="甲", tier="provincial")
    b = make_cluster(programme, "370102", name="乙")
    TierChange.objects.filter(cluster=b).delete()
    Cluster.objects.filter(pk=b.pk).update(tier="city", recognised_on=D(2021, 5, 1))
    histories = tier_histories([a.pk, b.pk])
    today = datetime.date.today()
    assert histories[a.pk].on(today) == "provincial" and histories[b.pk].on(today) == "city"
    assert histories[b.pk].on(D(2021, 4, 30)) == ""


def test_a_tier_count_follows_the_history_before_and_after_a_change(province_admin):
    programme = make_programme(code="TEST-TIER-COUNT", start=2023, end=2025)
    first = make_cluster(programme, "370102", name="甲", tier="provincial")
    second = make_cluster(programme, "370811", name="乙", tier="provincial")
    second.tier_changes.update(effective_on=D(2023, 1, 1))
    _recognised_nationally_on(first, D(2024, 6, 30), province_admin)
    make_target(programme, "T1", "count_clusters", 1, "个", 2025, params={"tier": "national"})
    make_target(programme, "T2", "count_clusters", 2, "个", 2025, params={"tier": "provincial"})

    def rows(day):
        return target_rows(province_admin, as_of=day, programme=programme)

    # 2024-06-29: 甲 still provincial → national 0, provincial 2 (甲, 乙).
    before = rows(D(2024, 6, 29))
    assert row_of(before, "T1").result.current.value == 0 and row_of(before, "T2").result.current.value == 2
    # 2024-06-30: 甲 national → national 1, provincial 1 (乙).
    after = rows(D(2024, 6, 30))
    assert row_of(after, "T1").result.current.value == 1 and row_of(after, "T2").result.current.value == 1
    assert [b.label for b in row_of(after, "T1").series.basis] == ["甲"]
    # Points over years use each year's end: 2023 → 0 national, 2024 → 1, 2025 (as of 2025-03-31) → 1.
    points = row_of(rows(D(2025, 3, 31)), "T1").series.points
    assert [(p.at, p.value) for p in points] == [(D(2023, 12, 31), 0), (D(2024, 12, 31), 1), (D(2025, 3, 31), 1)]


def test_a_pack_dates_recognition_by_its_document_not_the_load_day(tmp_path):
    pack = {
        "code": "TEST-RECOG", "name": "测试认定", "version": 1,
        "document": {"title": "测试文件", "date": "2020-08-15", "source": "001_d4a341c0482e1261.txt"},
        "scope": "province", "period": {"start": 2020, "end": 2025},
        "cluster_kinds": [{"code": "k", "name": "测试类"}],
        "clusters": [
            {"code": "by-document", "name": "按文件日期", "kind": "k", "tier": "city"},
            {"code": "by-year", "name": "只知年份", "kind": "k", "tier": "national", "recognised_on": 2019,
             "recognised_by": "发改高技〔2019〕1473号"},
            {"code": "untiered", "name": "培育", "kind": "k"},
        ],
        "targets": [{"code": "T1", "label": "数", "subject": {"kind": "province"}, "indicator": "count_clusters",
                     "value": 1, "unit": "个", "year": 2025}],
    }
    path = tmp_path / "test-recog.yaml"
    path.write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    parsed = pack_parse(path, {s.code: s.params for s in indicators_parse()})
    pack_install(actor=None, parsed=parsed)
    pack_install(actor=None, parsed=parsed)  # a second install records nothing twice

    def history(code):
        cluster = Cluster.objects.get(programme__code="TEST-RECOG", code=code)
        return cluster.recognised_on, [(t.effective_on, t.tier, t.basis) for t in cluster.tier_changes.all()]

    assert history("by-document") == (D(2020, 8, 15), [(D(2020, 8, 15), "city", "测试文件")])
    assert history("by-year") == (D(2019, 12, 31), [(D(2019, 12, 31), "national", "发改高技〔2019〕1473号")])
    assert history("untiered") == (None, [(D(2020, 8, 15), "", "")])


def test_the_demo_records_each_named_recognition_with_its_documents_date():
    jining = Cluster.objects.filter(programme__code="JN-2020-231")
    assert jining.count() == 6 and {c.recognised_on for c in jining} == {D(2020, 8, 15)}
    assert {(t.effective_on, t.tier) for c in jining for t in c.tier_changes.all()} == {(D(2020, 8, 15), "city")}
    national = Cluster.objects.filter(programme__code="SD-SEI-2020")
    assert national.count() == 7 and {c.recognised_on for c in national} == {D(2019, 12, 31)}
    assert all(cluster_tier_on(c, D(2020, 1, 1)) == "national" for c in national)
    assert not any(cluster_tier_on(c, D(2019, 12, 30)) for c in national)


def test_a_pack_refuses_a_tier_without_any_date(tmp_path):
    from jiqun.programmes.packs import PackError

    pack = {
        "code": "TEST-NODATE", "name": "测试", "version": 1,
        "document": {"title": "测试文件", "date": None, "source": "001_d4a341c0482e1261.txt"},
        "scope": "province", "period": {"start": 2020, "end": 2025},
        "cluster_kinds": [{"code": "k", "name": "测试类"}],
        "clusters": [{"code": "c1", "name": "甲", "kind": "k", "tier": "national"}],
        "targets": [],
    }
    path = tmp_path / "test-nodate.yaml"
    path.write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError) as info:
        pack_parse(path, {s.code: s.params for s in indicators_parse()})
    assert "clusters[0] (c1).recognised_on: a tiered cluster needs the date of its recognition" in str(info.value)


def test_an_enterprise_count_by_cluster_tier_takes_each_years_tier(province_admin):
    from jiqun.enterprises.services import enterprise_create, honour_add, membership_set
    from jiqun.regions.models import Region

    programme = make_programme(code="TEST-TIER-ENT", start=2023, end=2025)
    cluster = make_cluster(programme, "370102", name="甲", tier="provincial")
    _recognised_nationally_on(cluster, D(2024, 6, 30), province_admin)
    enterprise = enterprise_create(actor=province_admin, name="测试高企", region=Region.objects.get(code="370102"))
    membership_set(actor=province_admin, enterprise=enterprise, cluster=cluster)
    honour_add(actor=province_admin, enterprise=enterprise, kind="hightech", level="national", year=2022,
               valid_until=2030)
    make_target(programme, "T1", "count_enterprises_with_honour", 1, "家", 2025,
                params={"honour": "hightech", "cluster_tier": "national"})
    row = row_of(target_rows(province_admin, as_of=D(2025, 3, 31), programme=programme), "T1")
    # The honour holds every year, but its cluster is national only from 2024-06-30: 2023 → 0, 2024 → 1, 2025 → 1.
    assert [(p.at, p.value) for p in row.series.points] == [
        (D(2023, 12, 31), 0), (D(2024, 12, 31), 1), (D(2025, 3, 31), 1)]
