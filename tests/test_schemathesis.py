"""A property-based run of the web API from its own OpenAPI schema, with every check.

Schemathesis generates requests for every operation (valid and invalid parameters, bodies and
uploads) and sends them, as the admin (who passes every role check, so the handlers run), to
the app on the embedded SQLite backend seeded with the demo district. Every built-in check runs:
no server error; status codes, content types, headers and bodies as documented (error bodies
included); invalid requests refused, valid ones accepted; 401 without the token; 405 with an
exact ``Allow``.

Valid-by-schema is not valid-by-meaning for some inputs, which the schema cannot express: an
intake form's fields depend on one another, an upload must hold a layer's features, a GeoJSON
geometry or a bbox must be well formed, the 天地图 basemap needs a key. Those operations answer
such input with the documented 400/422 error body, and only for them are 400/422 accepted answers
to schema-valid data.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from api.seed import DEV_TOKENS
from api.settings import Settings

_DIR = Path(tempfile.mkdtemp(prefix="linkplan-fuzz-"))
atexit.register(shutil.rmtree, _DIR, ignore_errors=True)
_APP = create_app(
    Settings(database_url=f"sqlite:///{_DIR / 'linkplan.db'}", env="development", max_upload_mb=1)
)

pytestmark = pytest.mark.fuzz

_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis' default
_MEANING_CHECKED: dict[tuple[str, str], list[str]] = {
    ("POST", "/projects"): ["422"],  # the intake form (附件2): fields depend on one another
    ("PUT", "/projects/{project_id}"): ["412", "422"],  # If-Match must be the current ETag
    ("POST", "/intents"): ["422"],  # a GeoJSON polygon
    ("POST", "/networks/{layer}"): ["422"],  # a file holding the layer's features
    ("GET", "/maps/district"): ["400"],  # basemap=tianditu needs LINKPLAN_TIANDITU_KEY
    ("GET", "/maps/prelay"): ["400"],
    ("GET", "/maps/projects/{project_id}"): ["400"],
    ("GET", "/ogc/collections/{collectionId}/items"): ["400"],  # bbox=minx,miny,maxx,maxy
}
_CONFIG = schemathesis.Config.from_dict(
    {
        # the admin token, through the schema's own security scheme: a case schemathesis makes
        # without it (a negative case) is sent without it, and must be refused (401)
        # a hang fails, not a slow machine: re-assessing every demo project is whole seconds
        # on a busy 2-core runner (speed is measured by bench/, never by a test)
        "request-timeout": 120,
        "auth": {"openapi": {"HTTPBearer": {"bearer": DEV_TOKENS["admin"]}}},
        "operations": [
            {
                "include-method": method,
                "include-path": path,
                "checks": {"positive_data_acceptance": {"expected-statuses": _ACCEPTED + extra}},
            }
            for (method, path), extra in _MEANING_CHECKED.items()
        ]
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP, config=_CONFIG)


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("LINKPLAN_FUZZ_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_every_check_passes(case):
    response = case.call()
    if case.meta is not None and case.meta.generation.mode.name == "POSITIVE":
        # the configured token reaches the service: a schema-valid case is never unauthenticated
        assert response.status_code != 401, response.text
    case.validate_response(response)  # every built-in check
