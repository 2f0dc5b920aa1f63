"""The web service as the tests run it: a new database on each backend, a client, the tokens.

- ``BACKENDS``: the parameters of a fixture run on embedded SQLite and on real PostGIS (the
  PostGIS run marked ``postgis``, its database from the ``postgis_url`` fixture).
- ``new_database(request, directory)``: the URL of an empty database for the backend
  ``request.param`` (a SQLite file in ``directory``, or the PostGIS database emptied).
- ``serve(url, ...)``: a development service on that database, as a ``TestClient``.
- ``client_fixture(...)``: a module-scoped ``client`` fixture serving on each backend.
- ``auth(who)`` / ``bearer(token)``: the ``Authorization`` header of a development user / a token.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.seed import DEV_TOKENS
from api.settings import Settings
from gis.storage.store import make_engine

BACKENDS = ["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)]


def reset_postgis(url: str) -> None:
    """Drop everything in the PostGIS database ``url`` (its ``public`` schema made anew)."""
    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def new_database(request: pytest.FixtureRequest, directory: Path) -> str:
    """The URL of an empty database for the backend ``request.param`` (one of ``BACKENDS``).

    Parameters
    ----------
    request : pytest.FixtureRequest
        The request of a fixture parametrised with ``BACKENDS``.
    directory : Path
        Where the SQLite file ``linkplan.db`` goes.

    Returns
    -------
    str
        A SQLite URL, or the session's PostGIS URL with its ``public`` schema emptied.
    """
    if request.param == "sqlite":
        return f"sqlite:///{directory / 'linkplan.db'}"
    url: str = request.getfixturevalue("postgis_url")
    reset_postgis(url)
    return url


@contextmanager
def serve(
    url: str, *, max_upload_mb: int | None = None, raise_server_exceptions: bool = True
) -> Iterator[TestClient]:
    """A development service (demo seeded) on the database ``url``, disposed of afterwards.

    Parameters
    ----------
    url : str
        The database URL.
    max_upload_mb : int, optional
        The upload limit; the settings' default when ``None``.
    raise_server_exceptions : bool
        Passed to ``TestClient``: ``False`` to see the 500 responses instead.

    Yields
    ------
    TestClient
        The client, its lifespan started.
    """
    options: dict[str, Any] = {} if max_upload_mb is None else {"max_upload_mb": max_upload_mb}
    app = create_app(Settings(database_url=url, env="development", **options))
    with TestClient(app, raise_server_exceptions=raise_server_exceptions) as c:
        yield c
    app.state.linkplan.store.engine.dispose()


def client_fixture(*, max_upload_mb: int | None = None) -> Any:
    """A module-scoped fixture ``client``: a development service on each of ``BACKENDS``.

    Assign it in a test module: ``client = client_fixture(max_upload_mb=2)``.
    """

    @pytest.fixture(scope="module", params=BACKENDS)
    def client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
        url = new_database(request, tmp_path_factory.mktemp("db"))
        with serve(url, max_upload_mb=max_upload_mb) as c:
            yield c

    return client


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header carrying ``token``."""
    return {"Authorization": f"Bearer {token}"}


def auth(who: str) -> dict[str, str]:
    """The ``Authorization`` header of the development user ``who`` (a key of ``DEV_TOKENS``)."""
    return bearer(DEV_TOKENS[who])
