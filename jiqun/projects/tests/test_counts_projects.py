"""Targets that count projects (indicator count_projects): Jining's park targets (T37/T38: per park, projects of
≥30亿元 / ≥50亿元 signed or started within the window) and SD-SEI-2020's "about 20 projects per cluster".

Every expected count is worked out by hand in the comments; the projects are the test's own.
"""

import datetime

import pytest

from jiqun.clusters.services import cluster_create
from jiqun.projects.tests.fixtures import make_programme, make_project, make_project_target, make_zone
from jiqun.regions.models import Region
from jiqun.targets import progress as P
from jiqun.targets.selectors import target_rows
from jiqun.targets.tests.helpers import row_of

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 3, 31)
D = datetime.date


@pytest.fixture
def parks():
    """Two chemical parks of Zoucheng with projects around the thresholds and the window (from 2020-10-01)."""
    one, two = make_zone("测试化工园甲"), make_zone("测试化工园乙")
    make_project(name="甲-35亿 2021签约", yi="35", zone=one, signed=D(2021, 5, 1))  # T37 ✓
    make_project(name="甲-40亿 未签约 2022开工", yi="40", zone=one,  # T37 ✓ by its start
                 stages={"reserve": D(2021, 1, 1), "started": D(2022, 3, 1)})
    make_project(name="甲-25亿 2021签约", yi="25", zone=one, signed=D(2021, 6, 1))  # below 30亿
    make_project(name="甲-60亿 2019签约", yi="60", zone=one, signed=D(2019, 6, 1))  # before the window
    make_project(name="甲-35亿 2024签约", yi="35", zone=one, signed=D(2024, 2, 1))  # after T37's 2023
    make_project(name="甲-55亿 2024签约", yi="55", zone=one, signed=D(2024, 6, 1))  # T38 ✓ (and T37 ✗: 2024)
    make_project(name="甲-80亿 谋划中", yi="80", zone=one)  # neither signed nor started
    make_project(name="乙-35亿 2021签约", yi="35", zone=two, signed=D(2021, 3, 1))  # T37 ✓ for 乙 only
    return one, two


def test_park_targets_count_each_parks_projects_signed_or_started_in_the_window(parks, province_admin):
    one, two = parks
    programme = make_programme("P-PARK")
    make_project_target(programme, "T37", subject="park", value=2, year=2023,
                        params={"min_investment": 30, "unit": "亿元"}, label="每个化工园区3年内引进投资30亿元以上项目数")
    make_project_target(programme, "T38", subject="park", value=1, year=2025,
                        params={"min_investment": 50, "unit": "亿元"}, label="每个化工园区5年内引进投资50亿元以上项目数")
    rows = target_rows(province_admin, as_of=AS_OF, programme=programme)
    t37_one, t37_two = row_of(rows, "T37", one.name), row_of(rows, "T37", two.name)
    assert t37_one.result.current.value == 2  # 35亿 signed 2021, 40亿 started 2022
    assert t37_one.result.status == P.ACHIEVED
    assert t37_two.result.current.value == 1
    assert row_of(rows, "T38", one.name).result.current.value == 1  # 55亿 signed 2024 (60亿 of 2019 is before)
    assert row_of(rows, "T38", two.name).result.current.value == 0
    counted = [b for b in t37_one.series.basis if b.note.startswith("计入")]
    assert sorted(b.label.split(" ", 1)[1] for b in counted) == ["甲-35亿 2021签约", "甲-40亿 未签约 2022开工"]
    assert {b.value for b in counted} == {35, 40}  # in 亿元, the target's unit
    assert any("开工 2022-03-01" in b.note for b in counted)
    assert any("早于目标起算日" in b.note for b in t37_one.series.basis)


def test_the_year_by_year_history_follows_the_signing_dates(parks, province_admin):
    one, _two = parks
    programme = make_programme("P-HIST")
    make_project_target(programme, "T37", subject="park", value=2, year=2023,
                        params={"min_investment": 30, "unit": "亿元"}, label="每个化工园区引进投资30亿元以上项目数")
    row = row_of(target_rows(province_admin, as_of=AS_OF, programme=programme), "T37", one.name)
    assert [(p.at.year, int(p.value)) for p in row.series.points] == [(2020, 0), (2021, 1), (2022, 2), (2023, 2)]


def test_a_cluster_counts_its_projects_in_the_library_not_withdrawn(province_admin):
    programme = make_programme("P-CLU")
    cluster = cluster_create(actor=None, programme=programme, code="p-clu", name="测试项目集群",
                             regions=[Region.objects.get(code="370811")])
    other = cluster_create(actor=None, programme=programme, code="p-clu2", name="测试另一集群",
                           regions=[Region.objects.get(code="370811")])
    for n in range(3):
        make_project(name=f"在库{n}", yi="1", region="370811", clusters=[cluster], entered=D(2021, 1, 1))
    make_project(name="已退出", yi="1", region="370811", clusters=[cluster], entered=D(2021, 1, 1),
                 stages={"withdrawn": D(2022, 6, 1)})
    make_project(name="别的集群", yi="1", region="370811", clusters=[other], entered=D(2021, 1, 1))
    make_project_target(programme, "T10", subject="cluster", value=20, year=2025, cluster=cluster)
    row = row_of(target_rows(province_admin, as_of=AS_OF, programme=programme), "T10")
    assert row.result.status != P.NO_DATA
    assert row.result.current.value == 3  # the withdrawn and the other cluster's are not counted
    assert [(p.at.year, int(p.value)) for p in row.series.points][:3] == [(2020, 0), (2021, 4), (2022, 3)]
    assert sorted(b.label.split(" ", 1)[1] for b in row.series.basis) == ["在库0", "在库1", "在库2"]
    assert all("入库 2021-01-01" in b.note for b in row.series.basis)
