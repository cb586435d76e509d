"""The package's language knowledge (word lists, patterns per language, name tables) lives in
tab-separated files in the `data/` folder beside the module that uses it; each file has one
cached loader in that module, and every loader reads its file here."""
from __future__ import annotations

from pathlib import Path


def tsv_rows(path: Path) -> list[list[str]]:
    """The tab-separated fields of each line of `path`, in file order, skipping blank lines and
    `#` comments.  Fields are kept verbatim (a regular-expression entry may end in a space)."""
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]

