"""Shared fixtures: the demo province loaded once per test session, and the fixed personas.

Every test that touches the database sees the demo province (regions, the five packs, demo users) and
runs inside a transaction that is rolled back. Browser tests share one live server on the same pre-loaded
database for the whole session (`live_site`, used by `jiqun/core/tests/browser.py`).

Hypothesis: the "dev" profile draws at random (so new failing inputs can turn up); the "ci" profile, loaded
when the environment variable CI is set, is derandomised so a submission never fails by chance. It also leaves
out the health checks about how inputs are generated (too many rejected draws, slow or large draws): they judge
the strategies, not the code, and one tripped on a clean clone although every property held; in "dev" they
still report, so a wasteful strategy is seen and fixed.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.test.utils import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from jiqun.accounts.models import User

PASSWORD = "Jiqun@2026demo"

# A loaded machine must not turn a slow draw into a failure: no deadline; print the blob that replays a failure.
hypothesis_settings.register_profile("dev", deadline=None, print_blob=True)
hypothesis_settings.register_profile(
    "ci", deadline=None, print_blob=True, derandomize=True,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example])
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

CONFIGURED_DATABASE: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Hash passwords with MD5 in tests, and note the configured database before a test database replaces it."""
    from django.db import connection

    # The production hasher costs most of a second per password on purpose; the password policy is the
    # validators' job (AUTH_PASSWORD_VALIDATORS), untouched here. override_settings clears Django's hasher cache.
    override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()
    # The audit chain's key and checkpoint of the test databases stay out of the developer's var/.
    audit_dir = Path(tempfile.mkdtemp(prefix="jiqun-audit-"))
    override_settings(JIQUN_AUDIT_KEY_FILE=audit_dir / "audit.key",
                      JIQUN_AUDIT_HEAD_FILE=audit_dir / "audit-head.json").enable()
    CONFIGURED_DATABASE["name"] = str(connection.settings_dict["NAME"])


@pytest.fixture(scope="session")
def django_db_setup(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker) -> Iterator[None]:
    """Load the demo into the test database once; make that database even when only browser tests run."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from jiqun.core.demo import demo_load

    made_here = None
    with django_db_blocker.unblock():
        # pytest-django makes a test database only for tests that ask for `db`; browser tests use the database
        # without it (see live_site), and must never write into the configured one.
        if str(connection.settings_dict["NAME"]) == CONFIGURED_DATABASE["name"]:
            made_here = setup_databases(verbosity=request.config.option.verbose, interactive=False,
                                        aliases={connection.alias})
        demo_load()
    yield
    if made_here is not None:
        with django_db_blocker.unblock():
            teardown_databases(made_here, verbosity=request.config.option.verbose)


@pytest.fixture(scope="session")
def live_site(django_db_setup: None, django_db_blocker) -> Iterator[str]:
    """Serve the pre-loaded test database for the whole session and yield the server's address."""
    # Not pytest-django's live_server: asking for it makes every test transactional, i.e. flushes the
    # database after each one, and the demo would have to be loaded again per test.
    from pytest_django.live_server_helper import LiveServer

    from jiqun.core.demo import demo_load

    with django_db_blocker.unblock():
        if not User.objects.filter(username="sheng").exists():  # a transactional test flushed it
            demo_load()
        server = LiveServer("localhost")
    server._live_server_modified_settings.enable()  # lets the server's host in ALLOWED_HOSTS
    yield server.url
    server._live_server_modified_settings.disable()
    server.stop()


@pytest.fixture
def province_admin(db) -> User:
    return User.objects.get(username="sheng")


@pytest.fixture
def jinan_officer(db) -> User:
    return User.objects.get(username="jinan")


@pytest.fixture
def jining_officer(db) -> User:
    return User.objects.get(username="jining")


def client_for(user: User) -> Client:
    """A logged-in client; for the roles that need two factors, with the TOTP step done as well."""
    from django.conf import settings

    client = Client()
    client.force_login(user)
    if user.role in settings.TWO_FACTOR_ROLES:
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test"})
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        response = client.post("/accounts/2fa/", {"code": f"{code:0{device.digits}d}"})
        assert response.status_code == 302, "the TOTP step failed"
    return client


@pytest.fixture
def as_province(province_admin) -> Client:
    return client_for(province_admin)


@pytest.fixture
def as_jinan(jinan_officer) -> Client:
    return client_for(jinan_officer)


@pytest.fixture
def as_jining(jining_officer) -> Client:
    return client_for(jining_officer)


def token_client(user: User) -> Client:
    """A client that authenticates to /api/v1/ with a fresh bearer token of the user's."""
    from jiqun.accounts.services import api_token_create

    _token, key = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def api_province(province_admin) -> Client:
    return token_client(province_admin)


@pytest.fixture
def api_jinan(jinan_officer) -> Client:
    return token_client(jinan_officer)


@pytest.fixture
def api_jining(jining_officer) -> Client:
    return token_client(jining_officer)


@pytest.fixture(scope="session")
def libreoffice_convert(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path, str], Path]:
    """Convert a file with headless LibreOffice, every call sharing one user profile made once per session."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (Debian: apt-get install libreoffice-calc-nogui)")
    # A fresh user profile makes LibreOffice initialise and restart itself, the slowest part of a conversion.
    profile = tmp_path_factory.mktemp("libreoffice-profile")

    def convert(source: Path, to: str) -> Path:
        """Convert `source` to the format `to` (e.g. "xlsx") next to it in out/ and return the new file."""
        out = source.parent / "out"
        subprocess.run([office, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", to,
                        "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=120)
        return out / f"{source.stem}.{to}"

    return convert


@pytest.fixture(autouse=True)
def _sessions_refresh_once(request, monkeypatch):
    """A session refreshes its idle timeout once, at its first request, and not again during the test: the
    queries a page makes never depend on how long a slow machine took between two requests (a refresh a minute
    later writes the session). The idle-session tests keep the real minute."""
    if request.node.module.__name__.endswith("test_idle_session"):
        return
    monkeypatch.setattr("jiqun.core.middleware.TOUCH_SECONDS", 10**9)
