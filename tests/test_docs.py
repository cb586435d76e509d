"""The docs describe every command, every option and every setting: a missing one fails here."""
from __future__ import annotations

import re
from pathlib import Path

import click

from dalil.cli import main

ROOT = Path(__file__).resolve().parent.parent
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def sections() -> dict[str, str]:
    parts = re.split(r"^## `dalil ([a-z-]+)", CLI_DOC, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_command_has_a_section():
    missing = sorted(set(main.commands) - set(sections()))
    assert not missing, f"docs/cli.md lacks sections for: {missing}"


def test_every_option_is_described():
    docs = sections()
    common = CLI_DOC.split("## `dalil", 1)[0]     # options every command shares (--db) are described once
    missing = []
    for name, cmd in main.commands.items():
        body = docs.get(name, "") + common
        for param in cmd.params:
            if isinstance(param, click.Option):
                flag = max(param.opts, key=len)
                if flag not in body:
                    missing.append(f"{name} {flag}")
            elif isinstance(param, click.Argument) and param.name.upper() not in body.upper():
                missing.append(f"{name} {param.name.upper()}")
    assert not missing, f"undocumented options in docs/cli.md: {missing}"


def test_every_setting_is_described():
    used = set()
    for path in (ROOT / "dalil").rglob("*.py"):
        used |= set(re.findall(r"""environ(?:\.get)?\(?\[?["'](DALIL_[A-Z_]+)""", path.read_text(encoding="utf-8")))
    assert used, "expected some DALIL_ settings"
    missing = sorted(s for s in used if s not in CLI_DOC)
    assert not missing, f"settings missing from docs/cli.md: {missing}"


def test_docs_links_resolve():
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"
