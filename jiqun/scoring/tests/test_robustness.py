"""Rank stability under weight perturbation."""

import json
import time
from unittest import mock

import numpy as np
import pytest

from jiqun.scoring import (
    ScoreResult,
    ScoringInputError,
    StabilityResult,
    decision_matrix,
    perturb_weights,
    rank,
    rank_stability,
    score,
)
from jiqun.scoring.robustness import scores_by_draw
from jiqun.scoring.tests import examples as ex


def aircraft_result(**kwargs):
    m = decision_matrix(ex.AIRCRAFT, directions=ex.AIRCRAFT_DIRECTIONS)
    return score(m, weights=ex.AIRCRAFT_WEIGHTS, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"method": "wsum"},
        {
            "normalization": "minmax",
            "ideal": "fixed",
            "bounds": ([1, 1000, 10000, 1, 0, 0], [3, 3000, 30000, 10, 10, 10]),
        },
    ],
)
def test_scores_by_draw_reproduce_the_scores_at_the_base_weights(kwargs):
    result = aircraft_result(**kwargs)

    again = scores_by_draw(result, result.weights.weights[None, :])[0]

    np.testing.assert_allclose(again, result.scores, rtol=1e-12)


def test_vectorised_draws_equal_scoring_each_draw_separately():
    result = aircraft_result()
    draws = perturb_weights(result.weights.weights, 5, np.random.default_rng(1))

    batch = scores_by_draw(result, draws)

    for k, w in enumerate(draws):
        single = score(result.matrix, weights=w / w.sum())
        np.testing.assert_allclose(batch[k], single.scores, rtol=1e-12)


def test_the_same_seed_gives_the_same_stability():
    a = rank_stability(aircraft_result(), draws=200, seed=7)
    b = rank_stability(aircraft_result(), draws=200, seed=7)

    assert a.to_dict() == b.to_dict()


def test_stability_reports_share_and_interval():
    s = rank_stability(aircraft_result(), draws=500, seed=0)

    assert s.baseline_ranks.tolist() == ex.AIRCRAFT_RANKS
    assert ((0 <= s.keep_share) & (s.keep_share <= 1)).all()
    assert (s.rank_min <= s.baseline_ranks).all() and (s.baseline_ranks <= s.rank_max).all()
    # A2 is last by a wide margin; A1 and A3 are close and swap under ±10 % noise.
    assert s.keep_share[1] == 1.0
    assert 0 < s.keep_share[0] < 1
    assert s.params["scheme"] == "multiplicative" and s.params["spread"] == 0.1


def test_perturbed_weights_sum_to_one_and_keep_zeros():
    w = np.array([0.5, 0.0, 0.3, 0.2])
    rng = np.random.default_rng(0)

    for scheme in ("multiplicative", "dirichlet"):
        draws = perturb_weights(w, 100, rng, scheme=scheme)
        np.testing.assert_allclose(draws.sum(axis=1), 1.0)
        assert (draws[:, 1] == 0).all()


def test_multiplicative_noise_stays_within_the_spread_before_rescaling():
    w = np.full(4, 0.25)
    draws = perturb_weights(w, 1000, np.random.default_rng(0), spread=0.1)

    ratio = draws / draws.max(axis=1, keepdims=True)
    assert (ratio >= 0.9 / 1.1 - 1e-12).all()


def test_dirichlet_draws_are_centred_on_the_weights():
    w = np.array([0.6, 0.3, 0.1])
    draws = perturb_weights(w, 20000, np.random.default_rng(0), scheme="dirichlet", concentration=100)

    np.testing.assert_allclose(draws.mean(axis=0), w, atol=0.005)


def test_unknown_scheme_is_refused():
    with pytest.raises(ScoringInputError, match="unknown perturbation scheme"):
        rank_stability(aircraft_result(), scheme="gaussian")


def test_stability_of_1000_alternatives_and_30_criteria_with_1000_draws_is_fast():
    rng = np.random.default_rng(0)
    m = decision_matrix(rng.uniform(1, 100, size=(1000, 30)), directions=["+"] * 25 + ["-"] * 5)
    result = score(m, weights="entropy")

    start = time.perf_counter()
    s = rank_stability(result, draws=1000, seed=0)
    elapsed = time.perf_counter() - start

    assert s.keep_share.shape == (1000,)
    assert elapsed < 5.0  # about 0.1 s on a 2-core machine; see bench/bench_scoring.py
    assert rank(result.scores).tolist() == result.ranks.tolist()


def test_stability_round_trips_through_json():
    s = rank_stability(aircraft_result(), draws=50, seed=3)

    back = StabilityResult.from_dict(json.loads(json.dumps(s.to_dict())))

    assert back.to_dict() == s.to_dict()


def test_the_chunking_of_the_draws_does_not_change_the_result():
    result = aircraft_result()
    whole = rank_stability(result, draws=300, seed=1)

    with (
        mock.patch("jiqun.scoring.robustness.PRODUCT_ELEMENTS", 100),
        mock.patch("jiqun.scoring.robustness.RANK_ELEMENTS", 7),
    ):
        chunked = rank_stability(result, draws=300, seed=1)

    assert chunked.to_dict() == whole.to_dict()


def test_stability_of_a_result_read_from_json_is_the_same():
    result = aircraft_result(normalization="minmax")

    back = ScoreResult.from_json(result.to_json())

    assert rank_stability(back, draws=100).to_dict() == rank_stability(result, draws=100).to_dict()
