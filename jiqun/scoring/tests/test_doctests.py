"""The examples in the docstrings hold."""

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["agglomeration", "ahp", "hierarchy", "matrix", "normalize", "rank"])
def test_docstring_examples_hold(name):
    # import_module, because the package re-exports functions named like these modules (ahp, rank).
    module = importlib.import_module(f"jiqun.scoring.{name}")

    failures, tried = doctest.testmod(module, raise_on_error=False)

    assert tried > 0 and failures == 0
