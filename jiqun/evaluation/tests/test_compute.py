"""The bridge to the engine, on hand-made snapshots: hand-computed scores, the missing-data rules."""

import pytest

from jiqun.evaluation.compute import RunInputError, evaluate, outcome

PARAMS = {"scheme": "t", "version": 1, "weight_method": "fixed", "combine_alpha": 0.5, "normalisation": "max",
          "aggregation": "weighted_sum", "thresholds": [85.0, 70.0, 60.0], "grade_labels": ["优秀", "良好", "合格", "不合格"],
          "missing_rule": "excluded", "stability": {"draws": 200, "scheme": "multiplicative", "spread": 0.1, "seed": 0}}
CRITERIA = [
    {"code": "revenue", "name": "主营业务收入", "unit": "万元", "dimension": "规模", "direction": "benefit", "weight": "0.6", "clause": "一"},
    {"code": "employees", "name": "就业人数", "unit": "人", "dimension": "主体", "direction": "benefit", "weight": "0.4", "clause": "二"},
]


def snapshot(values: dict[int, tuple[str | None, str | None]]) -> dict:
    subjects = []
    for pk, (revenue, employees) in values.items():
        cells = {}
        for code, value in (("revenue", revenue), ("employees", employees)):
            cells[code] = ({"value": value, "period": "2025年1-12月", "quarter": 4, "sources": []} if value is not None
                           else {"value": None, "missing": "2025年1-12月的报表尚未全部省级审核通过"})
        subjects.append({"cluster": pk, "name": f"集群{pk}", "values": cells})
    return {"year": 2025, "as_of": "2025-12-31", "programme": "X", "criteria": CRITERIA, "subjects": subjects}


def scores_by_cluster(result: dict) -> dict[int, tuple[float, int, str]]:
    engine = result["engine"]
    return {int(a): (round(engine["scores"][i] * 100, 9), engine["ranks"][i], engine["grades"][i])
            for i, a in enumerate(engine["matrix"]["alternatives"])}


def test_it_scores_three_clusters_as_computed_by_hand() -> None:
    # max normalisation: revenue ÷ 400, employees ÷ 80; score = 100 × (0.6 r + 0.4 e)
    # 1: 0.6×0.25 + 0.4×0.625 = 0.40 → 40.0; 2: 0.6×0.5 + 0.4×1 = 0.70 → 70.0; 3: 0.6×1 + 0.4×0.3125 = 0.725 → 72.5
    result = evaluate(snapshot({1: ("100", "50"), 2: ("200", "80"), 3: ("400", "25")}), PARAMS)
    assert scores_by_cluster(result) == {1: (40.0, 3, "不合格"), 2: (70.0, 2, "良好"), 3: (72.5, 1, "良好")}
    assert result["excluded"] == [] and result["filled"] == []


def test_it_excludes_a_cluster_with_a_missing_value_and_says_why() -> None:
    result = evaluate(snapshot({1: ("100", "50"), 2: ("200", "80"), 3: ("400", None)}), PARAMS)
    assert set(scores_by_cluster(result)) == {1, 2}
    [excluded] = result["excluded"]
    assert excluded["cluster"] == 3
    assert "就业人数：2025年1-12月的报表尚未全部省级审核通过" in excluded["reason"]


def test_it_scores_a_missing_value_as_zero_only_when_the_scheme_says_so() -> None:
    result = evaluate(snapshot({1: ("100", "50"), 2: ("200", "80"), 3: ("400", None)}), {**PARAMS, "missing_rule": "zero"})
    # 3: 0.6×1 + 0.4×0 = 0.6 → 60.0, behind 2 (70.0)
    assert scores_by_cluster(result)[3] == (60.0, 2, "合格")
    assert result["filled"] == [{"cluster": 3, "indicator": "employees", "how": "按零计"}]


def test_it_imputes_the_mean_of_the_others() -> None:
    result = evaluate(snapshot({1: ("100", "50"), 2: ("200", "80"), 3: ("400", None)}),
                      {**PARAMS, "missing_rule": "imputed_mean"})
    # employees of 3 = (50 + 80) / 2 = 65; max 80: 3 scores 0.6 + 0.4 × 65/80 = 0.925 → 92.5
    assert scores_by_cluster(result)[3] == (92.5, 1, "优秀")
    assert result["filled"] == [{"cluster": 3, "indicator": "employees", "how": "以 2 个集群均值补"}]


def test_it_refuses_an_indicator_nobody_has() -> None:
    with pytest.raises(RunInputError, match="指标“就业人数”（employees）在2025年没有任何集群的省级审核数据"):
        evaluate(snapshot({1: ("100", None), 2: ("200", None)}), PARAMS)


def test_it_refuses_fewer_than_two_scored_clusters() -> None:
    with pytest.raises(RunInputError, match="参评集群不足 2 个"):
        evaluate(snapshot({1: ("100", "50"), 2: ("200", None)}), PARAMS)


def test_the_same_snapshot_gives_the_same_outcome() -> None:
    data = snapshot({1: ("100", "50"), 2: ("200", "80"), 3: ("400", "25")})
    for method in ("fixed", "entropy", "critic", "combined"):
        params = {**PARAMS, "weight_method": method}
        assert outcome(evaluate(data, params)) == outcome(evaluate(data, params))


def test_topsis_is_available() -> None:
    result = evaluate(snapshot({1: ("100", "50"), 2: ("200", "80"), 3: ("400", "25")}),
                      {**PARAMS, "aggregation": "topsis", "normalisation": "vector"})
    assert sorted(r for _s, r, _g in scores_by_cluster(result).values()) == [1, 2, 3]


def test_ahp_weights_come_from_the_judgements() -> None:
    # A consistent 2×2 judgement (revenue 3 times as important): weights 0.75 / 0.25, CR 0.
    # 1: 0.75×0.25 + 0.25×0.625 = 0.34375; 2: 0.75×0.5 + 0.25×1 = 0.625; 3: 0.75×1 + 0.25×0.3125 = 0.828125
    result = evaluate(snapshot({1: ("100", "50"), 2: ("200", "80"), 3: ("400", "25")}),
                      {**PARAMS, "weight_method": "ahp", "ahp": [[1, 3], [1 / 3, 1]]})
    assert result["engine"]["weights"]["weights"] == pytest.approx([0.75, 0.25])
    assert result["engine"]["weights"]["tables"]["cr"] == 0
    assert scores_by_cluster(result) == {1: (34.375, 3, "不合格"), 2: (62.5, 2, "合格"), 3: (82.8125, 1, "良好")}
