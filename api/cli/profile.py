"""The ``profile check|show`` commands: validate a policy profile, show its values and sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

profile_app = typer.Typer(
    help="配置 (policy profiles): thresholds and tables with their sources.", no_args_is_help=True
)


@profile_app.command("check")
def profile_check(
    file: Annotated[
        Path, typer.Argument(help="profile YAML file (its 'extends' are searched by name)")
    ],
) -> None:
    """Validate a profile file: all problems at once (file, key, value, expected); exit 1 if any."""
    from gis.errors import ProfileError
    from gis.profile import check_profile

    try:
        loaded = check_profile(file)
    except ProfileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    n = sum(1 for _ in loaded.entries())
    typer.echo(
        f"配置文件 {file} 有效：{n} 项取值（{' → '.join(loaded.chain)}）"
        f" (profile file {file} is valid: {n} values)"
    )


@profile_app.command("show")
def profile_show(
    name: Annotated[str, typer.Argument(help="profile name, e.g. jingmen-2023 (or a YAML file)")],
) -> None:
    """Print every value of a profile with its Chinese label, source and file."""
    from gis.profile import load_profile

    loaded = load_profile(name)
    typer.echo(f"配置 {loaded.name}（{' → '.join(loaded.chain)}）：{loaded.description}")
    for key, label, value, source, file in loaded.entries():
        shown = json.dumps(value, ensure_ascii=False)
        typer.echo(f"\n{key}  {label}")
        typer.echo(f"  值 (value): {shown}")
        typer.echo(f"  来源 (source): {source}")
        typer.echo(f"  文件 (file): {file}")
