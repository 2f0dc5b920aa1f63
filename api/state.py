"""What the web service serves: one workspace, its intake forms and its assessments.

The embedded default is the 掇刀区 demo district with its demo intake forms, built in memory,
so the service starts on a fresh machine with no server and no file. ``LINKPLAN_WORKSPACE``
and ``LINKPLAN_INTAKE_FORMS`` point it at a real GeoPackage and forms.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from api.service import Assessed, assess
from gis.profile import Profile, load_profile
from gis.settings import Settings
from gis.workspace import Workspace, open_workspace
from planning.intake import Intake, load_intakes, parse_intake

__all__ = ["ServiceState", "load_state"]


@dataclass
class ServiceState:
    """The served workspace and its assessments (computed once per day, shared by requests)."""

    ws: Workspace
    profile: Profile
    forms: dict[str, Intake]
    source: str
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _assessed: Assessed | None = field(default=None, repr=False)

    def assessed(self, *, as_of: dt.date | None = None) -> Assessed:
        """Return the assessments of every site on ``as_of`` (default today), computed once.

        Searches patch the shared routing index in place, so assessments run one at a time.
        """
        when = as_of or dt.date.today()
        with self._lock:
            if self._assessed is None or self._assessed.as_of != when:
                self._assessed = assess(self.ws, profile=self.profile, forms=self.forms, as_of=when)
            return self._assessed


def load_state(settings: Settings) -> ServiceState:
    """Open the configured workspace and forms, or build the embedded demo."""
    profile = load_profile(settings.profile)
    if settings.workspace is not None:
        ws = open_workspace(settings.workspace)
        forms = (
            load_intakes(settings.intake_forms, require_identity=False)
            if settings.intake_forms is not None
            else {}
        )
        return ServiceState(ws, profile, forms, str(settings.workspace))
    from data.demo_district import build_district
    from data.demo_intakes import demo_intakes

    ws = Workspace.from_layers(build_district("demo"), crs=settings.working_crs)
    forms = {}
    for raw in demo_intakes():
        form = parse_intake(raw, require_identity=False)
        forms[str(form.site_id)] = form
    return ServiceState(ws, profile, forms, "embedded demo district (掇刀区)")


