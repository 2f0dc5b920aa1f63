"""A real PostGIS for the tests: a throwaway cluster per test session, and skips that fail CI.

Load it as a pytest plugin (``pytest_plugins = ["tests.postgis"]`` in ``tests/conftest.py``, or
``-p tests.postgis``). It provides

- the session-scoped fixture ``postgis_url``: the SQLAlchemy URL of a database with the PostGIS
  extension. ``LINKPLAN_TEST_DATABASE_URL`` names an existing one; otherwise
  ``scripts/postgis.sh`` installs PostgreSQL and PostGIS from Debian's packages when they are
  missing (as root), starts a cluster in a fresh temporary directory for the session, and stops
  and removes it when the session ends, also when tests failed or were interrupted.
- the marker ``postgis`` for tests that need it, and a guard: when ``CI`` is set (to anything but
  ``""``, ``0``, ``false`` or ``no``) or ``LINKPLAN_REQUIRE_POSTGIS=1``, a ``postgis`` test that
  ends skipped makes the whole run fail, naming the skipped tests. A developer without root and
  without PostGIS gets skips instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "postgis.sh"
URL_VARIABLE = "LINKPLAN_TEST_DATABASE_URL"
MARKER = "postgis"
INSTALL_TIMEOUT_S = 1800.0
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0


class PostgisUnavailableError(RuntimeError):
    """PostgreSQL/PostGIS is not installed and could not be installed here."""


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``scripts/postgis.sh`` with ``args``; stderr is captured for error messages."""
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def postgis_installed() -> bool:
    """Whether PostgreSQL and the PostGIS extension are installed (``postgis.sh check``).

    Returns
    -------
    bool
        ``True`` when a cluster with PostGIS can be started without installing anything.
    """
    return _run(["check"], timeout=STOP_TIMEOUT_S).returncode == 0


def ensure_installed() -> None:
    """Install PostgreSQL and PostGIS from Debian's packages when they are missing.

    Raises
    ------
    PostgisUnavailableError
        When they are missing and could not be installed (not root, no apt-get, no network);
        the message carries what ``postgis.sh install`` said.
    """
    if postgis_installed():
        return
    done = _run(["install"], timeout=INSTALL_TIMEOUT_S)
    if done.returncode != 0:
        msg = f"PostGIS is not available: {done.stderr.strip()}"
        raise PostgisUnavailableError(msg)


def start_cluster(directory: Path, port: int | None = None) -> str:
    """Start a throwaway cluster in ``directory`` and return its SQLAlchemy URL.

    Parameters
    ----------
    directory : Path
        A new or empty directory that the ``postgres`` user can reach (when running as root,
        every parent must be traversable by it: ``/tmp/...`` is, ``/root/...`` is not).
    port : int, optional
        The TCP port on 127.0.0.1; a free one is picked when not given.

    Returns
    -------
    str
        ``postgresql+psycopg://postgres@127.0.0.1:PORT/linkplan_test``.

    Raises
    ------
    RuntimeError
        When the cluster did not start; the message carries the script's log excerpts.
    """
    args = ["start", str(directory)] + ([] if port is None else [str(port)])
    done = _run(args, timeout=START_TIMEOUT_S)
    url = done.stdout.strip()
    if done.returncode != 0 or not url.startswith("postgresql+psycopg://"):
        msg = (
            f"scripts/postgis.sh start {directory} failed (exit {done.returncode}):\n"
            f"{done.stderr.strip()}"
        )
        raise RuntimeError(msg)
    return url


def stop_cluster(directory: Path) -> None:
    """Stop the cluster in ``directory`` and remove the directory.

    Raises
    ------
    RuntimeError
        When the script could not stop the server or remove the directory.
    """
    done = _run(["stop", str(directory)], timeout=STOP_TIMEOUT_S)
    if done.returncode != 0:
        msg = f"scripts/postgis.sh stop {directory} failed: {done.stderr.strip()}"
        raise RuntimeError(msg)


@contextmanager
def throwaway_postgis() -> Iterator[str]:
    """Install if needed, start a cluster in a new temporary directory, yield its URL, stop it.

    The directory is made with :func:`tempfile.mkdtemp` in the system temporary directory (not
    in pytest's ``tmp_path``, whose parents are closed to the ``postgres`` user when running as
    root). The cluster is stopped and the directory removed however the ``with`` block ends.

    Yields
    ------
    str
        The SQLAlchemy URL of database ``linkplan_test`` with PostGIS.

    Raises
    ------
    PostgisUnavailableError
        When PostGIS is missing and cannot be installed here.
    """
    ensure_installed()
    # An empty directory straight under /tmp: the script hands it to the `postgres` user.
    directory = Path(tempfile.mkdtemp(prefix="linkplan-postgis-"))
    try:
        yield start_cluster(directory)
    finally:
        try:
            stop_cluster(directory)
        finally:
            # Left over only when `start` failed before writing its marker file.
            shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def postgis_url() -> Iterator[str]:
    """SQLAlchemy URL of a PostGIS database for this test session.

    ``LINKPLAN_TEST_DATABASE_URL`` when set (the database must have the ``postgis`` extension;
    tests should work in their own schema), otherwise a throwaway cluster. Skips when PostGIS
    is missing and cannot be installed (which fails the run in CI, see the module docstring).
    """
    given = os.environ.get(URL_VARIABLE, "").strip()
    if given:
        yield given
        return
    try:
        ensure_installed()
    except PostgisUnavailableError as error:
        pytest.skip(f"{error} (or set {URL_VARIABLE})")
    with throwaway_postgis() as url:
        yield url


def postgis_required() -> bool:
    """Whether a skipped ``postgis`` test must fail the run (``CI`` or ``LINKPLAN_REQUIRE_POSTGIS``).

    Returns
    -------
    bool
        ``True`` when ``LINKPLAN_REQUIRE_POSTGIS`` is ``1`` or ``CI`` is set to a true value.
    """
    if os.environ.get("LINKPLAN_REQUIRE_POSTGIS", "").strip() == "1":
        return True
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


class SkipGuard:
    """Fails the session when a test marked ``postgis`` was skipped (one instance per run)."""

    def __init__(self) -> None:
        self.skipped: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Record a ``postgis`` test that was skipped in setup or call (xfail does not count).

        The report's keywords name its markers: the same on a pytest-xdist controller, which
        collects no items, as in a worker.
        """
        marked = MARKER in report.keywords
        if report.skipped and marked and not hasattr(report, "wasxfail"):
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            self.skipped.setdefault(report.nodeid, str(reason))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Turn a passing exit status into a failing one when a ``postgis`` test was skipped."""
        if self.skipped and postgis_required() and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """Name the skipped ``postgis`` tests and why the run fails."""
        if not (self.skipped and postgis_required()):
            return
        terminalreporter.section("PostGIS tests skipped", sep="=", red=True, bold=True)
        terminalreporter.line(
            f"{len(self.skipped)} test(s) marked 'postgis' were skipped; with CI or "
            "LINKPLAN_REQUIRE_POSTGIS=1 set that fails the run:",
            red=True,
        )
        for nodeid, reason in sorted(self.skipped.items()):
            terminalreporter.line(f"  {nodeid}: {reason}", red=True)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``postgis`` marker and this run's skip guard."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}: needs a real PostGIS (fixture postgis_url); "
        "skipped without one, which fails the run when CI or LINKPLAN_REQUIRE_POSTGIS=1 is set",
    )
    config.pluginmanager.register(SkipGuard(), "linkplan-postgis-skip-guard")
