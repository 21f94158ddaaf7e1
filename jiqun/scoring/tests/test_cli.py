"""`jiqun engine …` on CSV files: output, encodings, and bad files (one line on stderr, exit 2)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from jiqun.scoring.cli import main
from jiqun.scoring.tests import examples as ex

AIRCRAFT_CSV = "机型,速度,航程,载荷,价格,可靠性,机动性\n" + "\n".join(
    f"A{i + 1}," + ",".join(f"{v:g}" for v in row) for i, row in enumerate(ex.AIRCRAFT)
)
AIRCRAFT_TYPES = "+,+,+,-,+,+"
AIRCRAFT_WEIGHTS = "0.2,0.1,0.1,0.1,0.2,0.3"
HOUSE_CSV = (
    ","
    + ",".join(ex.HOUSE_CRITERIA)
    + "\n"
    + "\n".join(f"{name}," + ",".join(row) for name, row in zip(ex.HOUSE_CRITERIA, ex.HOUSE, strict=True))
)


def write(tmp_path: Path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run_json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    out = capsys.readouterr().out
    return json.loads(out)


def test_score_prints_hwang_yoon_closeness_as_json(tmp_path, capsys):
    path = write(tmp_path, AIRCRAFT_CSV)

    data = run_json(
        capsys, ["score", path, f"--types={AIRCRAFT_TYPES}", f"--weights={AIRCRAFT_WEIGHTS}", "--json"]
    )

    assert data["alternatives"] == ["A1", "A2", "A3", "A4"]
    assert data["ranks"] == ex.AIRCRAFT_RANKS
    np.testing.assert_allclose(data["scores"], ex.AIRCRAFT_CLOSENESS, atol=1e-3)
    np.testing.assert_allclose(data["weights"], [0.2, 0.1, 0.1, 0.1, 0.2, 0.3])
    assert data["method"] == "topsis" and data["normalization"] == "vector"


def test_types_may_start_with_a_minus_in_both_spellings(tmp_path, capsys):
    path = write(tmp_path, "城市,能耗,产值\n甲,3,10\n乙,1,8\n丙,2,9\n")

    joined = run_json(capsys, ["score", path, "--types=-,+", "--weights=equal", "--json"])
    separate = run_json(capsys, ["score", path, "--types", "-,+", "--weights", "equal", "--json"])

    assert joined == separate
    assert joined["ranks"][1] == 1  # 乙: the lowest energy use


def test_a_csv_saved_by_excel_with_a_bom_is_read(tmp_path, capsys):
    path = write(tmp_path, "\ufeff" + AIRCRAFT_CSV.replace("\n", "\r\n"), encoding="utf-8")

    data = run_json(capsys, ["score", path, "--types", AIRCRAFT_TYPES, "--json"])

    assert data["criteria"][0] == "速度"


def test_a_gbk_csv_is_read(tmp_path, capsys):
    path = write(tmp_path, AIRCRAFT_CSV, encoding="gbk")

    data = run_json(capsys, ["weights", path, "--types", AIRCRAFT_TYPES, "--method", "entropy", "--json"])

    assert data["criteria"][-1] == "机动性"
    assert abs(sum(data["weights"]) - 1) < 1e-12
    assert set(data) >= {"criteria", "weights", "method", "variant", "entropy", "divergence"}


@pytest.mark.parametrize("method", ["entropy", "critic", "cv"])
def test_weights_command_methods(tmp_path, capsys, method):
    path = write(tmp_path, AIRCRAFT_CSV)

    data = run_json(capsys, ["weights", path, f"--types={AIRCRAFT_TYPES}", "--method", method, "--json"])

    assert data["method"] == method
    assert abs(sum(data["weights"]) - 1) < 1e-12


def test_ahp_reads_fractions_and_reports_consistency(tmp_path, capsys):
    path = write(tmp_path, HOUSE_CSV)

    assert main(["ahp", path, "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)

    assert abs(data["lambda_max"] - ex.HOUSE_LAMBDA_MAX) < 5e-4
    assert abs(data["ci"] - ex.HOUSE_CI) < 5e-4
    assert abs(data["cr"] - ex.HOUSE_CR) < 5e-4
    assert data["consistent"] is False
    assert data["criteria"] == ex.HOUSE_CRITERIA
    assert "CR = 0.1691 > 0.1" in captured.err


def test_ahp_fills_blank_cells_with_reciprocals(tmp_path, capsys):
    path = write(tmp_path, ",a,b,c\na,1,1/2,4\nb,,1,8\nc,,,1\n")

    data = run_json(capsys, ["ahp", path, "--priority", "geometric", "--ri", "alonso-lamata", "--json"])

    np.testing.assert_allclose(data["weights"], [4 / 13, 8 / 13, 1 / 13])
    assert data["ri_table"] == "alonso-lamata" and data["priority"] == "geometric"


def test_score_with_ahp_weights(tmp_path, capsys):
    matrix = write(tmp_path, "x,a,b,c\nA1,1,2,3\nA2,3,1,2\nA3,2,3,1\n")
    pairwise = write(tmp_path, ",c,b,a\nc,1,1,1/3\nb,1,1,1/3\na,3,3,1\n", name="pairwise.csv")

    data = run_json(
        capsys, ["score", matrix, "--types=+,+,+", f"--weights=ahp:{pairwise}", "--method=wsum", "--json"]
    )

    np.testing.assert_allclose(data["weights"], [0.6, 0.2, 0.2])
    assert data["weights_method"] == "ahp"


def test_score_prints_an_aligned_table(tmp_path, capsys):
    path = write(tmp_path, AIRCRAFT_CSV)

    assert (
        main(["score", path, f"--types={AIRCRAFT_TYPES}", f"--weights={AIRCRAFT_WEIGHTS}", "--stability=200"])
        == 0
    )

    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("rank/排名"))
    assert lines[header + 1].split()[:3] == ["1", "A1", "0.643277"]
    assert "stability: 200 draws" in out


def test_lq_prints_location_quotients(tmp_path, capsys):
    path = write(tmp_path, "产业,济南,青岛\n化工,10,30\n电子,30,30\n")

    data = run_json(capsys, ["lq", path, "--json"])

    assert data["regions"] == ["济南", "青岛"]
    np.testing.assert_allclose(data["lq"], [[0.625, 1.25], [1.25, 0.8333333333333334]])


def test_hhi_accepts_percent_shares(tmp_path, capsys):
    path = write(tmp_path, "企业,份额%\n甲,20\n乙,50\n丙,20\n丁,10\n")

    data = run_json(capsys, ["hhi", path, "--json"])

    assert abs(data["hhi"] - 0.34) < 1e-12
    assert abs(data["hhi_10000"] - 3400) < 1e-9
    assert abs(data["hhi_normalized"] - 0.12) < 1e-12


def test_text_output_of_every_command(tmp_path, capsys):
    matrix = write(tmp_path, AIRCRAFT_CSV)
    house = write(tmp_path, HOUSE_CSV, name="house.csv")
    table = write(tmp_path, "产业,济南,青岛\n化工,10,30\n电子,30,30\n", name="lq.csv")
    shares = write(tmp_path, "企业,销售额\n甲,20\n乙,50\n", name="hhi.csv")

    for argv in (
        ["weights", matrix, f"--types={AIRCRAFT_TYPES}", "--method=critic"],
        ["ahp", house],
        ["lq", table],
        ["hhi", shares],
        ["score", matrix, f"--types={AIRCRAFT_TYPES}", "--method=wsum", "--normalize=max"],
    ):
        assert main(argv) == 0
    out = capsys.readouterr().out
    assert "CR = 0.1691" in out and "HHI = 0.591837" in out and "Location quotients" in out


def bad(tmp_path, capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("jiqun engine: error: ")
    assert "Traceback" not in err
    return err


def test_a_missing_file_exits_2(tmp_path, capsys):
    err = bad(tmp_path, capsys, ["score", str(tmp_path / "none.csv"), "--types=+"])
    assert "file not found" in err


def test_an_empty_file_exits_2(tmp_path, capsys):
    err = bad(tmp_path, capsys, ["score", write(tmp_path, ""), "--types=+"])
    assert "the file is empty" in err


def test_a_ragged_row_exits_2(tmp_path, capsys):
    err = bad(tmp_path, capsys, ["score", write(tmp_path, "x,a,b\nA1,1,2\nA2,3\n"), "--types=+,+"])
    assert "line 3 has 2 cells but the header has 3" in err


def test_a_non_numeric_cell_names_row_and_column(tmp_path, capsys):
    err = bad(tmp_path, capsys, ["score", write(tmp_path, "x,产值,税收\nA1,1,2\nA2,3,abc\n"), "--types=+,+"])
    assert "row 'A2', column '税收' (line 3): 'abc' is not a number" in err


def test_an_empty_cell_is_named(tmp_path, capsys):
    err = bad(tmp_path, capsys, ["score", write(tmp_path, "x,a,b\nA1,1,\nA2,3,4\n"), "--types=+,+"])
    assert "row 'A1', column 'b' (line 2): the cell is empty" in err


def test_a_wrong_number_of_types_exits_2(tmp_path, capsys):
    err = bad(tmp_path, capsys, ["score", write(tmp_path, AIRCRAFT_CSV), "--types=+,-"])
    assert "--types gives 2 directions but" in err


def test_weights_that_do_not_sum_to_one_exit_2(tmp_path, capsys):
    err = bad(
        tmp_path,
        capsys,
        [
            "score",
            write(tmp_path, AIRCRAFT_CSV),
            f"--types={AIRCRAFT_TYPES}",
            "--weights=0.5,0.1,0.1,0.1,0.2,0.3",
        ],
    )
    assert "weights must sum to 1, they sum to 1.3" in err


def test_weights_that_are_not_numbers_exit_2(tmp_path, capsys):
    err = bad(
        tmp_path,
        capsys,
        ["score", write(tmp_path, AIRCRAFT_CSV), f"--types={AIRCRAFT_TYPES}", "--weights=heavy"],
    )
    assert "--weights 'heavy' is neither a method" in err


def test_negative_values_for_entropy_name_the_cell(tmp_path, capsys):
    err = bad(
        tmp_path,
        capsys,
        ["weights", write(tmp_path, "x,增速\nA1,-2\nA2,3\n"), "--types=+", "--method=entropy"],
    )
    assert "criterion '增速' of alternative 'A1': value -2 is negative" in err


def test_a_non_square_pairwise_file_exits_2(tmp_path, capsys):
    err = bad(tmp_path, capsys, ["ahp", write(tmp_path, ",a,b\na,1,2\n")])
    assert "row names must repeat the column names" in err


def test_a_binary_file_exits_2(tmp_path, capsys):
    path = tmp_path / "data.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x30\x81\xff")
    err = bad(tmp_path, capsys, ["hhi", str(path)])
    assert "neither UTF-8 nor GBK" in err


def test_usage_errors_exit_2_and_help_exits_0(capsys):
    assert main(["score"]) == 2
    assert main(["--help"]) == 0
    capsys.readouterr()


def test_it_runs_as_a_module(tmp_path):
    path = write(tmp_path, "企业,销售额\n甲,20\n乙,50\n丙,20\n丁,10\n")

    done = subprocess.run(
        [sys.executable, "-m", "jiqun.scoring.cli", "hhi", path, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert abs(json.loads(done.stdout)["hhi"] - 0.34) < 1e-12


def test_a_directory_exits_2(tmp_path, capsys):
    err = bad(tmp_path, capsys, ["lq", str(tmp_path)])
    assert "is a directory" in err


def test_a_file_that_is_not_csv_exits_2(tmp_path, capsys):
    err = bad(tmp_path, capsys, ["lq", write(tmp_path, "产业,济南\n化工," + "9" * 200_000 + "\n")])
    assert "line 2 is not valid CSV" in err


def test_negative_weights_given_apart_reach_the_engine_message(tmp_path, capsys):
    err = bad(
        tmp_path,
        capsys,
        [
            "score",
            write(tmp_path, AIRCRAFT_CSV),
            "--types",
            AIRCRAFT_TYPES,
            "--weights",
            "-0.2,0.2,0.2,0.2,0.3,0.3",
        ],
    )
    assert "criterion '速度': weight -0.2 must be a finite number ≥ 0" in err


def test_the_text_table_lists_the_best_first_with_ties_in_file_order(tmp_path, capsys):
    path = write(tmp_path, "城市,产值\n甲,1\n乙,3\n丙,3\n丁,2\n")

    assert main(["score", path, "--types=+", "--weights=1", "--method=wsum"]) == 0

    lines = capsys.readouterr().out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("rank/排名"))
    assert [line.split()[:2] for line in lines[header + 1 :]] == [
        ["1", "乙"],
        ["1", "丙"],
        ["3", "丁"],
        ["4", "甲"],
    ]
