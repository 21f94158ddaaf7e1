"""Published worked examples used by the golden tests, each with its source and table.

The figures were checked against two independent secondary transcriptions where the primary text was
not at hand (noted below).
"""

import numpy as np

# Hwang, C.-L. & Yoon, K. (1981). Multiple Attribute Decision Making: Methods and Applications.
# Springer, LNEMS 186, pp. 133-134: the fighter-aircraft example solved by TOPSIS.
# Criteria: maximum speed (Mach), ferry range (NM), maximum payload (lb), acquisition cost ($10^6,
# the only cost criterion), reliability, manoeuvrability (ratings); weights 0.2, 0.1, 0.1, 0.1, 0.2, 0.3.
# The book's tables (as transcribed by the mcdajs and MCDM-benchmark projects) print C* = 0.643, 0.268,
# 0.613, 0.312. Its normalised cost column (.5063, .5983, .4143, .4603) differs from the exact vector
# normalisation (.5069, .5990, .4147, .4608) in the fourth decimal, a slip of the book that shifts
# S*_1 from 0.0546 to the printed 0.0545; the comparisons below allow for it.
AIRCRAFT = np.array(
    [
        [2.0, 1500, 20000, 5.5, 5, 9],
        [2.5, 2700, 18000, 6.5, 3, 5],
        [1.8, 2000, 21000, 4.5, 7, 7],
        [2.2, 1800, 20000, 5.0, 5, 5],
    ]
)
AIRCRAFT_CRITERIA = ["speed", "range", "payload", "cost", "reliability", "manoeuvrability"]
AIRCRAFT_DIRECTIONS = "+,+,+,-,+,+"
AIRCRAFT_WEIGHTS = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
AIRCRAFT_NORMALIZED = np.array(
    [
        [0.4671, 0.3662, 0.5056, 0.5063, 0.4811, 0.6708],
        [0.5839, 0.6591, 0.4550, 0.5983, 0.2887, 0.3727],
        [0.4204, 0.4882, 0.5308, 0.4143, 0.6736, 0.5217],
        [0.5139, 0.4392, 0.5056, 0.4603, 0.4811, 0.3727],
    ]
)
AIRCRAFT_IDEAL = [0.1168, 0.0659, 0.0531, 0.0414, 0.1347, 0.2012]
AIRCRAFT_ANTI_IDEAL = [0.0841, 0.0366, 0.0455, 0.0598, 0.0577, 0.1118]
AIRCRAFT_S_PLUS = [0.0545, 0.1197, 0.0580, 0.1009]
AIRCRAFT_S_MINUS = [0.0983, 0.0439, 0.0920, 0.0458]
AIRCRAFT_CLOSENESS = [0.643, 0.268, 0.613, 0.312]
AIRCRAFT_RANKS = [1, 4, 2, 3]

# Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process. European Journal of
# Operational Research 48(1), 9-26: a family buying a house; the pairwise comparison matrix of the eight
# criteria (size of house, transportation, neighbourhood, age of house, yard space, modern facilities,
# general condition, financing), with priorities .173 .054 .188 .018 .031 .036 .167 .333 and
# lambda_max = 9.669, C.I. = 0.238, C.R. = 0.169 (RI(8) = 1.41). The matrix is reproduced identically in
# several public code bases; its a_37 = 6 (neighbourhood vs general condition) is the inconsistent
# judgement the paper discusses.
HOUSE_CRITERIA = ["size", "transport", "neighbourhood", "age", "yard", "facilities", "condition", "financing"]
HOUSE = [
    ["1", "5", "3", "7", "6", "6", "1/3", "1/4"],
    ["1/5", "1", "1/3", "5", "3", "3", "1/5", "1/7"],
    ["1/3", "3", "1", "6", "3", "4", "6", "1/5"],
    ["1/7", "1/5", "1/6", "1", "1/3", "1/4", "1/7", "1/8"],
    ["1/6", "1/3", "1/3", "3", "1", "1/2", "1/5", "1/6"],
    ["1/6", "1/3", "1/4", "4", "2", "1", "1/5", "1/6"],
    ["3", "5", "1/6", "7", "5", "5", "1", "1/2"],
    ["4", "7", "5", "8", "6", "6", "2", "1"],
]
HOUSE_PRIORITIES = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]
HOUSE_LAMBDA_MAX = 9.669
HOUSE_CI = 0.238
HOUSE_CR = 0.169


def house_matrix() -> np.ndarray:
    """Return Saaty's house matrix as floats."""
    from fractions import Fraction

    return np.array([[float(Fraction(cell)) for cell in row] for row in HOUSE])


# Farhauer, O. & Kröll, A. (2013/2014). Standorttheorien. Springer Gabler; the examples reproduced in the
# documentation of the R package REAT (T. Wieland), with REAT's published results:
# ellison.a -> 0.05990628; locq(1714, 79006, 879213, 15593224) -> 0.3847623;
# krugman.spec(c(20,10,70,0,0), c(0,0,0,60,40)) -> 2.
EG_FIRM_REGION = ["Wien"] * 5 + ["Linz"] * 4 + ["Graz"]
EG_FIRM_EMPLOYMENT = [200, 650, 12000, 100, 50, 16000, 13000, 1500, 1500, 25000]
EG_REGION_EMPLOYMENT = {"Wien": 500000, "Linz": 400000, "Graz": 100000}
EG_GAMMA = 0.05990628
LQ_E_IJ, LQ_E_J, LQ_E_I, LQ_E = 1714, 79006, 879213, 15593224
LQ_VALUE = 0.3847623

# Dörsam (2004) via REAT's herf(): sales of four car makers 20, 50, 20, 10 -> HHI 0.34, normalised 0.12.
HHI_SALES = [20, 50, 20, 10]
