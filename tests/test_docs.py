"""Docs that stay true: every setting and every command is documented."""

from __future__ import annotations

from pathlib import Path

import typer

from dateline.cli import app as cli
from dateline.config import markdown_reference

ROOT = Path(__file__).resolve().parents[1]


def command_paths(app: typer.Typer, prefix: str = "dateline") -> list[str]:
    paths = [
        f"{prefix} {command.name or command.callback.__name__}"
        for command in app.registered_commands
    ]  # type: ignore[union-attr]
    for group in app.registered_groups:
        paths += command_paths(group.typer_instance, f"{prefix} {group.name}")  # type: ignore[arg-type]
    return paths


def test_configuration_reference_is_generated_from_the_settings() -> None:
    assert (ROOT / "docs" / "configuration.md").read_text() == markdown_reference(), (
        "run: .venv/bin/dateline config docs > docs/configuration.md"
    )


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [path for path in command_paths(cli) if f"`{path}" not in readme]
    assert missing == []


def test_readme_starts_with_the_two_commands() -> None:
    opening = (ROOT / "README.md").read_text().split("\n\n", 2)[1]
    assert "make run" in opening
    assert "make test" in opening
