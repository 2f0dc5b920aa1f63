"""A property-based run of the web API from its own OpenAPI schema: no request gives a 500.

Schemathesis generates requests for every operation (valid and invalid parameters, bodies and
uploads) and sends them, as the admin (who passes every role check, so the handlers run), to
the app on the embedded SQLite backend seeded with the demo district.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from api.seed import DEV_TOKENS
from gis.settings import Settings

_DIR = Path(tempfile.mkdtemp(prefix="linkplan-fuzz-"))
atexit.register(shutil.rmtree, _DIR, ignore_errors=True)
_APP = create_app(
    Settings(database_url=f"sqlite:///{_DIR / 'linkplan.db'}", env="development", max_upload_mb=1)
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_no_server_errors(case):
    response = case.call(headers={"Authorization": f"Bearer {DEV_TOKENS['admin']}"})
    case.validate_response(response, checks=(not_a_server_error,))
