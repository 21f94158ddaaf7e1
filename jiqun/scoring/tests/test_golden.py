"""Golden tests: the engine reproduces published worked examples (see examples.py for the sources)."""

import numpy as np
import pytest

from jiqun.scoring import (
    ahp,
    decision_matrix,
    ellison_glaeser,
    hhi,
    krugman_index,
    location_quotient,
    score,
    topsis,
)
from jiqun.scoring.tests import examples as ex


def aircraft():
    return decision_matrix(
        ex.AIRCRAFT,
        alternatives=["A1", "A2", "A3", "A4"],
        criteria=ex.AIRCRAFT_CRITERIA,
        directions=ex.AIRCRAFT_DIRECTIONS,
    )


def test_topsis_reproduces_hwang_yoon_fighter_aircraft():
    """Hwang & Yoon (1981), LNEMS 186, TOPSIS numerical example pp. 133-134: closeness C* and order."""
    result = score(aircraft(), weights=ex.AIRCRAFT_WEIGHTS, method="topsis")

    assert result.params["normalization"] == "vector"
    assert result.params["cost_rule"] == "none"
    # The book works with intermediate values rounded to 4 decimals: its C*_3 = 0.613 is 0.6135 exactly.
    np.testing.assert_allclose(result.scores, ex.AIRCRAFT_CLOSENESS, atol=1e-3)
    assert result.ranks.tolist() == ex.AIRCRAFT_RANKS


def test_topsis_on_hwang_yoon_normalised_table_prints_their_figures():
    """Hwang & Yoon (1981), pp. 133-134: from the book's normalised table r_ij, its A*, A- and C* to print."""
    book = ex.AIRCRAFT_NORMALIZED
    lower_is_better = np.array([False, False, False, True, False, False])

    closeness, tables = topsis(book, np.array(ex.AIRCRAFT_WEIGHTS), lower_is_better)

    assert np.round(closeness, 3).tolist() == ex.AIRCRAFT_CLOSENESS
    assert np.round(tables["ideal"], 4).tolist() == ex.AIRCRAFT_IDEAL
    assert np.round(tables["anti_ideal"], 4).tolist() == ex.AIRCRAFT_ANTI_IDEAL


def test_topsis_reproduces_hwang_yoon_intermediate_tables():
    """Hwang & Yoon (1981), pp. 133-134: the tables r_ij, A*, A-, S* and S- of the fighter-aircraft example."""
    result = score(aircraft(), weights=ex.AIRCRAFT_WEIGHTS, method="topsis")

    # The book's normalised cost column is off in the 4th decimal (see examples.py), hence 1e-3.
    np.testing.assert_allclose(result.normalized, ex.AIRCRAFT_NORMALIZED, atol=1e-3)
    np.testing.assert_allclose(result.tables["ideal"], ex.AIRCRAFT_IDEAL, atol=1e-4)
    np.testing.assert_allclose(result.tables["anti_ideal"], ex.AIRCRAFT_ANTI_IDEAL, atol=2e-4)
    np.testing.assert_allclose(result.tables["distance_to_ideal"], ex.AIRCRAFT_S_PLUS, atol=2e-4)
    np.testing.assert_allclose(result.tables["distance_to_anti_ideal"], ex.AIRCRAFT_S_MINUS, atol=2e-4)


def test_topsis_matches_exact_vector_normalisation_of_the_aircraft_data():
    """Hwang & Yoon (1981), TOPSIS step 1: r_ij = x_ij / sqrt(sum_i x_ij^2), computed without rounding."""
    result = score(aircraft(), weights=ex.AIRCRAFT_WEIGHTS, method="topsis")

    exact = ex.AIRCRAFT / np.sqrt((ex.AIRCRAFT**2).sum(axis=0))
    np.testing.assert_allclose(result.normalized, exact, rtol=1e-15)
    np.testing.assert_allclose(result.weighted, exact * ex.AIRCRAFT_WEIGHTS, rtol=1e-15)


def test_ahp_reproduces_saaty_house_example():
    """Saaty (1990), EJOR 48(1) 9-26, the house example: the 8 x 8 criteria matrix, its priorities,
    lambda_max = 9.669, C.I. = 0.238 and C.R. = 0.169 (RI(8) = 1.41, Saaty's table)."""
    result = ahp(ex.house_matrix(), names=ex.HOUSE_CRITERIA)

    assert result.lambda_max == pytest.approx(ex.HOUSE_LAMBDA_MAX, abs=5e-4)
    assert result.ci == pytest.approx(ex.HOUSE_CI, abs=5e-4)
    assert result.ri == 1.41
    assert result.cr == pytest.approx(ex.HOUSE_CR, abs=5e-4)
    np.testing.assert_allclose(result.weights, ex.HOUSE_PRIORITIES, atol=5e-4)
    assert not result.consistent


def test_ellison_glaeser_reproduces_farhauer_kroell_example():
    """Farhauer & Kröll (2013), the Ellison-Glaeser example as reproduced by REAT's ellison.a: 0.05990628."""
    result = ellison_glaeser(ex.EG_FIRM_EMPLOYMENT, ex.EG_FIRM_REGION, ex.EG_REGION_EMPLOYMENT)

    assert result.gamma == pytest.approx(ex.EG_GAMMA, abs=1e-8)


def test_location_quotient_reproduces_farhauer_kroell_example():
    """Farhauer & Kröll (2013), the location-quotient example as reproduced by REAT's locq: 0.3847623."""
    # A 2 x 2 table with the example's margins: industry i / other industries x region j / other regions.
    e_ij, e_j, e_i, e = ex.LQ_E_IJ, ex.LQ_E_J, ex.LQ_E_I, ex.LQ_E
    table = [[e_ij, e_i - e_ij], [e_j - e_ij, e - e_j - e_i + e_ij]]

    result = location_quotient(table, industries=["i", "other"], regions=["j", "rest"])

    assert result.lq[0, 0] == pytest.approx(ex.LQ_VALUE, abs=1e-7)


def test_hhi_reproduces_doersam_car_makers_example():
    """Dörsam (2004), the car-makers example as reproduced by REAT's herf: H = 0.34, H* = 0.12."""
    result = hhi(ex.HHI_SALES)

    assert result.hhi == pytest.approx(0.34)
    assert result.hhi_10000 == pytest.approx(3400)
    assert result.hhi_normalized == pytest.approx(0.12)


def test_krugman_index_reproduces_farhauer_kroell_example():
    """Farhauer & Kröll (2013), Krugman index of two regions without a common industry (REAT krugman.spec): 2."""
    assert krugman_index([20, 10, 70, 0, 0], [0, 0, 0, 60, 40]) == pytest.approx(2.0)
