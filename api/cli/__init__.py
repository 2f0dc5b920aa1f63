"""The ``linkplan`` command line.

Commands read as the use cases they serve: ``demo`` builds the demo district, ``validate``
checks a workspace and lists every problem at once, ``import`` adds a layer to a workspace
from GeoJSON, Shapefile, DXF, EPANET or OpenStreetMap, and ``graph`` writes the road corridor
graph for inspection in QGIS.

Each group of commands lives in its own module; this package builds the :data:`app` from them
in the order ``linkplan --help`` lists them:

- :mod:`api.cli.workspace` — ``validate``, ``import``, ``graph``;
- :mod:`api.cli.demo` — ``demo``;
- :mod:`api.cli.assess` — ``assess``, ``deadline``, ``map``, ``survey-pack``, ``sheet``;
- :mod:`api.cli.plans` — ``coordinate``, ``prelay``;
- :mod:`api.cli.service` — ``serve``, ``load``, ``ledger``, ``user``, ``holidays load|status``;
- :mod:`api.cli.profile` — ``profile check|show``;
- :mod:`api.cli._common` — what they share (dataclass options, dates, the working calendar).
"""

from __future__ import annotations

import sys

import typer

from api.cli import assess, demo, plans, service, workspace
from api.cli._common import layer_summary, options_command, parse_start
from api.cli.assess import MapOptions, _assess_and_report
from api.cli.demo import _demo_assessment, demo_start
from api.cli.profile import profile_app
from api.cli.service import holidays_app
from api.cli.workspace import ImportOptions
from gis.errors import LinkplanError, ValidationError

__all__ = [
    "ImportOptions",
    "MapOptions",
    "_assess_and_report",
    "_demo_assessment",
    "app",
    "demo_start",
    "holidays_app",
    "layer_summary",
    "main",
    "options_command",
    "parse_start",
    "profile_app",
]

app = typer.Typer(
    help="Linkplan 联动接入预规划: pre-planning of water, gas, heat, power and telecom connections.",
    no_args_is_help=True,
    add_completion=False,
)

app.command()(workspace.validate)
app.command()(demo.demo)
app.command()(assess.assess)
app.command()(assess.deadline)
app.command()(plans.coordinate)
app.command()(plans.prelay)
app.command("map")(assess.map_)
app.command("survey-pack")(assess.survey_pack)
app.command()(assess.sheet)
app.command()(service.serve)
app.add_typer(holidays_app, name="holidays")
app.command("load")(service.load_db)
app.command()(service.ledger)
app.command()(service.user)
app.command()(service.password)
app.command("import")(workspace.import_)
app.command()(workspace.graph)
app.add_typer(profile_app, name="profile")


def main() -> None:
    """Run the command line, turning domain errors into a message and exit code 2."""
    try:
        app()
    except ValidationError as exc:
        typer.echo(str(exc), err=True)
        sys.exit(1)
    except (LinkplanError, FileExistsError) as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
