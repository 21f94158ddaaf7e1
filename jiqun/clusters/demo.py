"""Demo cluster standing: the cities of SD-2023-185's clusters, and two of them recognised as provincial.

Cities. 鲁政办字〔2023〕185号 names no city for any of its 17 clusters (its pack places them in the province), so
the province map's per-city counts for it would all be 0. The demo places each in the cities the other seed
documents give for the same industry (the source is named on each line), and where none does, in a plausible
city marked 演示数据 in the basis of the change (the cluster's history and audit log show it).

Recognitions. The packs name no provincial cluster with a recognition date (JN-2020-231's are city tier,
SD-SEI-2020's national), so the demo records two, each basis labelled 演示数据; one review is overdue, one comes up
soon.
"""

import datetime

from jiqun.clusters.models import Cluster, ClusterStatus, Tier
from jiqun.clusters.services import (
    cluster_change_regions,
    cluster_change_status,
    cluster_change_tier,
    reviews_due,
)
from jiqun.regions.models import PROVINCE_CODE, Region, RegionLevel

# SD-2023-185 cluster code → its cities, and where they come from. 000 is 鲁商发〔2016〕3号 (its 三(x) domains
# name the cities of each industry's development zones), 002 the 2020–2021 战略性新兴产业集群 plan (its 一(三)
# names the province's national clusters by city), 004 Jining's 2020 cluster opinion (济宁 only).
SD_2023_185_CITIES: dict[str, tuple[tuple[str, ...], str]] = {
    # The two below avoid 济南 and 青岛, the cities of the demo 赛马 round's experts (jiqun.recognition.demo), who
    # would otherwise have to recuse themselves from these applicants.
    "power-equipment": (("潍坊市",), "演示数据：文件未列所在市，按潍柴动力（潍坊）示意"),
    "high-end-aluminium": (("滨州市", "烟台市", "聊城市"), "据鲁商发〔2016〕3号 三(九)：邹平、龙口、茌平开发区的铝业"),
    "smart-home-appliances": (("青岛市",), "据鲁商发〔2016〕3号 三(一)：青岛开发区家电及电子信息产业集群"),
    "biomedicine": (("烟台市", "临沂市"), "据山东省战略性新兴产业集群发展工程实施方案 一(三)：烟台生物医药、临沂生物医药"),
    "ngit": (("济南市", "青岛市", "烟台市"),
             "据山东省战略性新兴产业集群发展工程实施方案 一(三)：济南信息技术服务；鲁商发〔2016〕3号 三(一)：烟台通信设备、青岛家电及电子信息"),
    "advanced-metal-materials": (("烟台市",), "据山东省战略性新兴产业集群发展工程实施方案 一(三)：烟台先进结构材料"),
    "chemical-new-materials": (("淄博市", "烟台市"),
                               "据山东省战略性新兴产业集群发展工程实施方案 一(三)：淄博新型功能材料；鲁商发〔2016〕3号 三(六)：烟台开发区海洋化工"),
    "new-energy-vehicles": (("烟台市", "潍坊市"), "据鲁商发〔2016〕3号 三(五)：上海通用东岳汽车公司（烟台）、北汽福田诸城汽车厂（潍坊）"),
    "food": (("济南市", "烟台市", "威海市", "潍坊市", "临沂市", "滨州市", "德州市", "济宁市"),
             "据鲁商发〔2016〕3号 三(七)：依托济南、烟台、威海、潍坊、临沂、滨州、德州、济宁等市开发区"),
    "new-energy-equipment": (("德州市", "东营市"), "演示数据：文件未列所在市，示意"),
    "intelligent-manufacturing-equipment": (("济南市", "青岛市"), "演示数据：文件未列所在市，示意"),
    "marine-engineering-equipment": (("烟台市", "青岛市"), "演示数据：文件未列所在市，按沿海造船和海工基地示意"),
    "rail-transit": (("青岛市",), "据山东省战略性新兴产业集群发展工程实施方案 一(三)：青岛轨道交通装备"),
    "modern-light-textiles": (("滨州市", "淄博市", "潍坊市", "威海市", "烟台市"),
                              "据鲁商发〔2016〕3号 三(八)：滨州、文登、高密、蓬莱家纺产业集群和淄博纺织服装产业集群"),
    "eco-environmental": (("青岛市",), "据山东省战略性新兴产业集群发展工程实施方案 一(三)：青岛节能环保"),
    "machine-tools": (("济宁市",), "据中共济宁市委 济宁市人民政府关于加快先进制造业集群开放创新发展的意见：机床、成套装备“工业母机”"),
    "construction-machinery": (("济宁市",), "据中共济宁市委 济宁市人民政府关于加快先进制造业集群开放创新发展的意见：济宁高新区工程机械"),
}
CITIES_BASIS = "演示数据：鲁政办字〔2023〕185号未列集群所在市，按%s"


def demo_cluster_cities() -> int:
    """Place SD-2023-185's clusters in their cities (once: a cluster already placed below the province is
    left as it is); returns how many were placed."""
    cities = {r.name: r for r in Region.objects.filter(level=RegionLevel.CITY)}
    placed = 0
    for cluster in Cluster.objects.filter(programme__code="SD-2023-185").prefetch_related("regions").order_by("id"):
        entry = SD_2023_185_CITIES.get(cluster.code)
        if entry is None or [r.code for r in cluster.regions.all()] != [PROVINCE_CODE]:
            continue
        names, source = entry
        basis = source if source.startswith("演示数据") else CITIES_BASIS % source.removeprefix("据")
        cluster_change_regions(actor=None, cluster=cluster, regions=[cities[name] for name in names], basis=basis)
        placed += 1
    return placed

# cluster code in SD-2023-185, the (fictitious) recognition date
RECOGNITIONS = [
    ("new-energy-equipment", datetime.date(2023, 11, 30)),
    ("intelligent-manufacturing-equipment", datetime.date(2023, 12, 20)),
]
BASIS = "演示数据：省级先进制造业集群认定（无真实文号）"


def demo_reviews_generate() -> int:
    """Record the two demo recognitions once, then the reviews that have come up; returns the reviews added."""
    for code, day in RECOGNITIONS:
        cluster = Cluster.objects.filter(programme__code="SD-2023-185", code=code).first()
        if cluster is None or cluster.tier or cluster.tier_changes.filter(effective_on__gt=day).exists():
            continue
        cluster_change_tier(actor=None, cluster=cluster, tier=Tier.PROVINCIAL, basis=BASIS, effective_on=day)
        if cluster.status == ClusterStatus.CULTIVATING:
            cluster_change_status(actor=None, cluster=cluster, status=ClusterStatus.RECOGNISED, basis=BASIS,
                                  effective_on=day)
    return len(reviews_due())
