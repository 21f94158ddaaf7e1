"""Fixtures of the monitoring tests: a fresh test period (its own programme and two clusters) and its reports."""

import pytest

from jiqun.monitoring.tests.helpers import open_test_period, report_of


@pytest.fixture
def period():
    """A 2025 Q2 period with a Jining cluster (任城测试集群) and a Jinan one (历下测试集群)."""
    return open_test_period()


@pytest.fixture
def rencheng(period):
    """The Jining cluster's draft report."""
    return report_of(period, "任城测试集群")
