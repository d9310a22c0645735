"""`dateline --help` and every subcommand's help follow the operator's locale, as the rest of
what the CLI prints does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DATELINE = Path(sys.executable).with_name("dateline")


def help_text(lang: str, *args: str) -> str:
    """The help as the terminal shows it, box lines and wrapping left out."""
    env = {"PATH": os.environ.get("PATH", ""), "LANG": lang, "COLUMNS": "250"}
    if "PYTHONPATH" in os.environ:  # a checkout other than the installed one
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    done = subprocess.run(
        [str(DATELINE), *args, "--help"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.replace("│", " ").split())


def test_the_help_reads_german_under_a_german_locale() -> None:
    top = help_text("de_DE.UTF-8")
    assert "Dateline: Live-Berichterstattung auf dem eigenen Server." in top
    assert "Die Website, die Redaktionsseiten und die API bereitstellen." in top
    assert "Quellen: Feeds und Seiten, denen gefolgt wird." in top
    adding = help_text("de_DE.UTF-8", "source", "add")
    assert (
        "Einem Feed, einer Artikelseite oder dem Liveblog einer anderen Website folgen." in adding
    )
    assert "Wie oft abgerufen wird: 90s, 5m, 2h, 1d." in adding


def test_the_help_stays_english_under_the_c_locale() -> None:
    top = help_text("C")
    assert "Dateline: self-hosted live news coverage." in top
    assert "Serve the site, the editor pages and the API." in top
    adding = help_text("C", "source", "add")
    assert "How often to fetch: 90s, 5m, 2h, 1d." in adding
    assert "Wie oft" not in adding
