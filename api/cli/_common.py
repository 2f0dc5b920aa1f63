"""Helpers the command groups share: dataclass options, the layer table, dates, the calendar."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar  # noqa: F401 (Annotated: doctest)

import geopandas as gpd
import typer

from gis.schema import LAYERS

_Options = TypeVar("_Options")


def options_command(
    options: type[_Options],
) -> Callable[[Callable[[_Options], None]], Callable[..., None]]:
    """Give a command the fields of a dataclass as its parameters, and its body one instance.

    Typer reads a command's arguments and options from the function's signature; a command
    with many options declares them instead as the fields of a dataclass (each ``Annotated``
    with its ``typer.Argument`` or ``typer.Option``, defaults as usual), so the command line
    is unchanged and the body takes one object.

    Examples
    --------
    >>> @dataclasses.dataclass
    ... class Greeting:
    ...     name: Annotated[str, typer.Argument(help="who")]
    ...     loud: Annotated[bool, typer.Option(help="shout")] = False
    >>> @options_command(Greeting)
    ... def greet(opts: Greeting) -> None:
    ...     '''Greet someone.'''
    ...     print(opts.name.upper() if opts.loud else opts.name)
    >>> list(inspect.signature(greet).parameters), greet.__doc__
    (['name', 'loud'], 'Greet someone.')
    >>> greet(name="荆门", loud=False)
    荆门
    """
    hints = typing.get_type_hints(options, include_extras=True)
    parameters = [
        inspect.Parameter(
            f.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=hints[f.name],
            default=inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default,
        )
        for f in dataclasses.fields(options)  # type: ignore[arg-type]
    ]

    def decorate(body: Callable[[_Options], None]) -> Callable[..., None]:
        def command(**kwargs: Any) -> None:
            body(options(**kwargs))

        command.__name__ = body.__name__
        command.__qualname__ = body.__qualname__
        command.__module__ = body.__module__
        command.__doc__ = body.__doc__
        command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
        return command

    return decorate


def layer_summary(layers: dict[str, gpd.GeoDataFrame]) -> str:
    """Return a table of layers: features, geometry, total length or area, CRS."""
    lines = [f"{'layer':<14}{'features':>9}  {'geometry':<16}{'size':>14}  crs"]
    for name, gdf in layers.items():
        kinds = ",".join(sorted(set(gdf.geometry.geom_type.dropna()))) or "-"
        if gdf.crs is not None and gdf.crs.is_projected and len(gdf):
            if "Polygon" in kinds:
                size = f"{gdf.geometry.area.sum() / 1e4:,.1f} ha"
            else:
                size = f"{gdf.geometry.length.sum() / 1e3:,.2f} km"
        else:
            size = "-"
        crs = gdf.crs.to_string() if gdf.crs is not None else "none"
        title = LAYERS[name].title_zh if name in LAYERS else ""
        lines.append(f"{name:<14}{len(gdf):>9,}  {kinds:<16}{size:>14}  {crs}  {title}")
    return "\n".join(lines)


def parse_start(value: str, *, option: str = "--start") -> dt.datetime:
    """Read a local date-time ``YYYY-MM-DDTHH:MM``; a clear usage error (exit 2) otherwise."""
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        msg = (
            f"{value!r} 不是有效的日期时间（{exc}）；应为 YYYY-MM-DDTHH:MM，"
            f"如 2025-09-30T10:00 (not a valid local date-time; expected YYYY-MM-DDTHH:MM)"
        )
        raise typer.BadParameter(msg, param_hint=option) from exc
    if when.utcoffset() is not None or not 2000 <= when.year <= 2100:
        msg = (
            f"{option} {value!r}：应为 2000–2100 年的北京时间，不带时区，如 2025-09-30T10:00 "
            f"(expected a naive local date-time in 2000–2100)"
        )
        raise typer.BadParameter(msg, param_hint=option)
    return when


def cli_calendar(profile: str | Any) -> Any:
    """Return the profile's calendar with the notices stored in the configured database.

    A database that does not exist yet (the embedded SQLite file) or has no notices table
    has no notices: deadlines in years the package and files lack are then provisional.
    """
    from sqlalchemy import create_engine, inspect

    from api.holidays import read_notices
    from api.settings import get_settings
    from gis.storage.store import Store
    from planning.calendar import WorkCalendar

    settings = get_settings()
    url = settings.database_url
    if not url:
        path = Path(settings.data_dir) / "linkplan.db"
        url = f"sqlite:///{path}" if path.exists() else None
    notices = []
    if url:
        engine = create_engine(url)
        try:
            if inspect(engine).has_table("holiday_notices"):
                notices = read_notices(Store(engine))
        finally:
            engine.dispose()
    return WorkCalendar.from_profile(profile, notices=notices)
