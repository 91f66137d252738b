"""Every relative link in every Markdown file of the repository resolves inside it: a file or
folder that exists (and, for ``file.md#anchor``, a heading with that anchor). Nothing points
outside the repository — the shared research folder next to it is not part of a clone."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
# [text](target) and ![alt](target), not inside code; reference definitions `[x]: target`.
INLINE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)


def markdown_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def _without_code(text: str) -> str:
    """Fenced blocks and inline code spans hold examples, not links."""
    text = re.sub(r"^(```|~~~).*?^\1", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def links(path: Path) -> list[str]:
    text = _without_code(path.read_text("utf-8"))
    return INLINE.findall(text) + REFERENCE.findall(text)


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lowercased, punctuation dropped, spaces to hyphens."""
    found = set()
    for heading in re.findall(
        r"^#{1,6}\s+(.+?)\s*#*\s*$", _without_code(path.read_text("utf-8")), re.M
    ):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_the_repository_has_its_documents() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in markdown_files()}
    assert {
        "README.md",
        "mobile/README.md",
        "docs/checklist/amo-crm-oauth-test-plan.uk.md",
    } <= names


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves_inside_the_repository(path: Path) -> None:
    broken = []
    for target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto: …
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not resolved.is_relative_to(ROOT):
            broken.append(f"{target} (outside the repository)")
        elif not resolved.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and resolved.suffix == ".md" and anchor.lower() not in anchors(resolved):
            broken.append(f"{target} (no heading #{anchor})")
    assert broken == []


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_document_sends_the_reader_outside_the_repository(path: Path) -> None:
    """Not even as a path in backticks: ``../shared/…`` is not in a clone."""
    assert re.findall(r"(?:\.\./)+shared/\S*|/work/shared\S*", path.read_text("utf-8")) == []
