"""`jiqun engine …`: the scoring engine on plain CSV files, without Django or a database.

    jiqun engine score MATRIX.csv --types=+,-,+ [--weights entropy|critic|cv|equal|w1,w2,…|ahp:PAIRWISE.csv]
                                 [--method topsis|wsum] [--normalize vector|minmax|sum|max|zscore] [--json]
    jiqun engine weights MATRIX.csv --types=… --method entropy|critic|cv [--entropy-input raw|minmax] [--json]
    jiqun engine ahp PAIRWISE.csv [--priority eigen|mean|geometric] [--ri saaty|…] [--json]
    jiqun engine lq TABLE.csv [--json]
    jiqun engine hhi SHARES.csv [--json]

Bad input prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from jiqun.scoring.agglomeration import hhi, location_quotient
from jiqun.scoring.ahp import PRIORITY_METHODS, RANDOM_INDEX, AhpResult, ahp
from jiqun.scoring.csvio import format_table, numbers, read_table
from jiqun.scoring.errors import ScoringInputError
from jiqun.scoring.matrix import DecisionMatrix, decision_matrix
from jiqun.scoring.normalize import NORMALIZATIONS
from jiqun.scoring.rank import TIE_RULES
from jiqun.scoring.robustness import rank_stability
from jiqun.scoring.score import WeightsSpec, score
from jiqun.scoring.weights import ENTROPY_VARIANTS, OBJECTIVE_METHODS, objective_weights

PROG = "jiqun engine"
INPUT_ERROR = 2


def _read_matrix(path: str, types: str) -> DecisionMatrix:
    table = read_table(path)
    tokens = [t.strip() for t in types.split(",")]
    if len(tokens) != len(table.columns):
        raise ScoringInputError(
            f"--types gives {len(tokens)} directions but {path} has {len(table.columns)} criteria "
            f"({', '.join(table.columns)}) / 指标方向个数与指标个数不符"
        )
    return decision_matrix(numbers(table), alternatives=table.rows, criteria=table.columns, directions=tokens)


def _read_ahp(path: str, priority: str = "eigen", ri: str = "saaty") -> AhpResult:
    table = read_table(path)
    if table.rows != table.columns:
        raise ScoringInputError(
            f"{path}: the row names must repeat the column names in the same order / 判断矩阵行名须与列名一致"
        )
    return ahp(numbers(table, fractions=True, blanks=True), names=table.columns, priority=priority, ri=ri)


def _weights_spec(text: str, matrix: DecisionMatrix) -> WeightsSpec:
    if text in OBJECTIVE_METHODS:
        return text
    if text.startswith("ahp:"):
        result = _read_ahp(text[4:])
        _warn_inconsistent(result)
        return result
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise ScoringInputError(
            f"--weights {text!r} is neither a method ({', '.join(OBJECTIVE_METHODS)}), ahp:FILE, "
            "nor numbers separated by commas / 权重参数无效"
        ) from None


def _warn_inconsistent(result: AhpResult) -> None:
    if not result.consistent:
        print(
            f"{PROG}: warning: CR = {result.cr:.4f} > {result.threshold:g}; revise the pairwise judgements "
            "/ 一致性比率超过 0.1，请调整判断矩阵",
            file=sys.stderr,
        )


def _emit(data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False))


def _f(x: float, places: int = 6) -> str:
    return f"{x:.{places}f}"


def _score(args: argparse.Namespace) -> int:
    matrix = _read_matrix(args.matrix, args.types)
    result = score(
        matrix,
        weights=_weights_spec(args.weights, matrix),
        method=args.method,
        normalization=args.normalize,
        entropy_variant=args.entropy_input,
        ties=args.ties,
    )
    stability = rank_stability(result, draws=args.stability, seed=args.seed) if args.stability else None
    p = result.params
    w = result.weights.weights
    if args.json:
        data: dict[str, Any] = {
            "alternatives": list(result.alternatives),
            "criteria": list(matrix.criteria),
            "directions": list(matrix.directions),
            "weights": w.tolist(),
            "weights_method": result.weights.method,
            "method": p["method"],
            "normalization": p["normalization"],
            "cost_rule": p["cost_rule"],
            "ties": p["ties"],
            "scores": result.scores.tolist(),
            "ranks": result.ranks.tolist(),
        }
        data.update({k: v.tolist() for k, v in result.tables.items()})
        if stability is not None:
            data["stability"] = stability.to_dict()
        _emit(data)
        return 0
    print(f"Weights ({result.weights.method}) / 权重")
    rows = [[c, d, _f(x)] for c, d, x in zip(matrix.criteria, matrix.directions, w, strict=True)]
    print(format_table(["criterion/指标", "direction/方向", "weight/权重"], rows, [False, False, True]))
    print()
    print(
        f"{p['method'].upper()}, {p['normalization']} normalisation (cost rule {p['cost_rule']}), ties {p['ties']}"
    )
    headers = ["rank/排名", "alternative/方案", "score/得分"]
    extra: list[np.ndarray] = []
    if p["method"] == "topsis":
        headers += ["D+", "D-"]
        extra = [result.tables["distance_to_ideal"], result.tables["distance_to_anti_ideal"]]
    if stability is not None:
        headers += ["keep/保持", "range/名次区间"]
    rows = []
    for i in np.argsort(result.ranks, kind="stable"):  # best first; ties keep the order of the file
        row = [str(result.ranks[i]), result.alternatives[i], _f(float(result.scores[i]))]
        row += [_f(float(t[i])) for t in extra]
        if stability is not None:
            row += [f"{stability.keep_share[i]:.3f}", f"{stability.rank_min[i]}–{stability.rank_max[i]}"]
        rows.append(row)
    print(format_table(headers, rows, [True, False] + [True] * (len(headers) - 2)))
    if stability is not None:
        sp = stability.params
        print(
            f"\nstability: {sp['draws']} draws, ±{sp['spread']:.0%} multiplicative weight noise, seed {sp['seed']}"
        )
    return 0


def _weights(args: argparse.Namespace) -> int:
    matrix = _read_matrix(args.matrix, args.types)
    result = objective_weights(matrix, args.method, entropy_variant=args.entropy_input)
    if args.json:
        data: dict[str, Any] = {
            "criteria": list(matrix.criteria),
            "weights": result.weights.tolist(),
            "method": result.method,
        }
        data.update(result.params)
        data.update({k: v.tolist() for k, v in result.tables.items() if v.ndim == 1})
        _emit(data)
        return 0
    vectors = {k: v for k, v in result.tables.items() if v.ndim == 1}
    headers = ["criterion/指标", "weight/权重", *vectors]
    rows = [
        [c, _f(result.weights[j]), *(_f(float(v[j])) for v in vectors.values())]
        for j, c in enumerate(matrix.criteria)
    ]
    details = ", ".join(
        f"{k} = {v:.6g}" if isinstance(v, float) else f"{k} = {v}" for k, v in result.params.items()
    )
    print(f"{result.method} weights / 权重" + (f" ({details})" if details else ""))
    print(format_table(headers, rows, [False] + [True] * (len(headers) - 1)))
    return 0


def _ahp(args: argparse.Namespace) -> int:
    result = _read_ahp(args.pairwise, args.priority, args.ri)
    _warn_inconsistent(result)
    if args.json:
        data = result.to_dict()
        data["criteria"] = data.pop("names")
        _emit(data)
        return 0
    rows = [[name, _f(w)] for name, w in zip(result.names, result.weights, strict=True)]
    print(format_table(["criterion/指标", "weight/权重"], rows, [False, True]))
    verdict = (
        "acceptable / 一致性可接受"
        if result.consistent
        else "revise the judgements / 一致性不可接受，请调整判断矩阵"
    )
    print(
        f"\npriority {result.priority}, λmax = {result.lambda_max:.4f}, CI = {result.ci:.4f}, "
        f"RI = {result.ri:g} ({result.ri_table}), CR = {result.cr:.4f}: {verdict}"
    )
    return 0


def _lq(args: argparse.Namespace) -> int:
    table = read_table(args.table)
    result = location_quotient(numbers(table), industries=table.rows, regions=table.columns)
    if args.json:
        _emit(result.to_dict())
        return 0
    rows = [[name, *(_f(x, 4) for x in result.lq[i])] for i, name in enumerate(result.industries)]
    print("Location quotients / 区位熵 (industries × regions)")
    print(format_table(["industry/产业", *result.regions], rows, [False] + [True] * len(result.regions)))
    return 0


def _hhi(args: argparse.Namespace) -> int:
    table = read_table(args.shares)
    if len(table.columns) != 1:
        raise ScoringInputError(
            f"{args.shares}: give one column of values or shares, found {len(table.columns)} / 只能有一列数值"
        )
    result = hhi(numbers(table)[:, 0], units=table.rows)
    if args.json:
        _emit(result.to_dict())
        return 0
    rows = [[name, _f(s)] for name, s in zip(result.units, result.shares, strict=True)]
    print(format_table(["unit/单位", "share/份额"], rows, [False, True]))
    normalized = "—" if result.hhi_normalized is None else _f(result.hhi_normalized)
    print(
        f"\nHHI = {_f(result.hhi)} ({result.hhi_10000:.1f} on 0–10,000), normalised HHI* = {normalized}, N = {result.n}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of `jiqun engine`."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Scoring engine on CSV files / 评价引擎（CSV 文件）"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{score,weights,ahp,lq,hhi}")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("score", help="score and rank alternatives (TOPSIS or weighted sum)")
    p.add_argument("matrix", help="CSV: criteria in the first row, alternatives in the first column")
    p.add_argument(
        "--types", required=True, help="one direction per criterion: + benefit, - cost, e.g. --types=+,-,+"
    )
    p.add_argument(
        "--weights",
        default="entropy",
        help="entropy (default), critic, cv, equal, w1,w2,… or ahp:PAIRWISE.csv",
    )
    p.add_argument("--method", choices=["topsis", "wsum"], default="topsis")
    p.add_argument(
        "--normalize",
        choices=NORMALIZATIONS,
        default=None,
        help="default: vector for topsis, minmax for wsum",
    )
    p.add_argument("--entropy-input", choices=ENTROPY_VARIANTS, default="raw")
    p.add_argument(
        "--ties", choices=TIE_RULES, default="min", help="tie rule of the ranks (default min: 1,2,2,4)"
    )
    p.add_argument(
        "--stability",
        type=int,
        default=0,
        metavar="DRAWS",
        help="also run DRAWS weight perturbations (±10%%)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the perturbations")
    common(p)
    p.set_defaults(handler=_score)

    p = sub.add_parser("weights", help="objective weights of a decision matrix")
    p.add_argument("matrix")
    p.add_argument("--types", required=True)
    p.add_argument("--method", choices=["entropy", "critic", "cv"], required=True)
    p.add_argument("--entropy-input", choices=ENTROPY_VARIANTS, default="raw")
    common(p)
    p.set_defaults(handler=_weights)

    p = sub.add_parser("ahp", help="priorities and consistency ratio of a pairwise comparison matrix")
    p.add_argument(
        "pairwise", help="square CSV; cells may be fractions such as 1/3; blank cells take reciprocals"
    )
    p.add_argument("--priority", choices=PRIORITY_METHODS, default="eigen")
    p.add_argument(
        "--ri", choices=list(RANDOM_INDEX), default="saaty", help="random-index table (default saaty)"
    )
    common(p)
    p.set_defaults(handler=_ahp)

    p = sub.add_parser("lq", help="location quotients of an industries × regions table")
    p.add_argument("table")
    common(p)
    p.set_defaults(handler=_lq)

    p = sub.add_parser("hhi", help="Herfindahl–Hirschman index of one column of values or shares")
    p.add_argument("shares")
    common(p)
    p.set_defaults(handler=_hhi)
    return parser


# Options whose value may start with a minus sign: '--types -,+' (a cost criterion first), or a mistyped
# '--weights -0.2,…' that should reach the engine's own message. argparse would read such a value as an option.
_SIGNED_VALUES = ("--types", "--weights")


def _join_signed_values(argv: Sequence[str]) -> list[str]:
    """Turn '--types -,+' into '--types=-,+' so that argparse reads '-,+' as the value."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in _SIGNED_VALUES and i + 1 < len(argv):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    """Run `jiqun engine` with `argv` (default: the process arguments); return the exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(_join_signed_values(arguments))
    except SystemExit as exc:  # --help, or a usage error argparse has already reported
        return exc.code if isinstance(exc.code, int) else INPUT_ERROR
    try:
        return args.handler(args)
    except ScoringInputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return INPUT_ERROR


if __name__ == "__main__":
    sys.exit(main())
