"""Layout facts measured inside the page (``getBoundingClientRect``), for the phone-first checks.

The probes live in ``layout.js`` (plain JavaScript, run with ``page.evaluate``); the functions
here judge what they measure and return what is wrong, so a failed assertion names the
offending elements and their sizes instead of a bare ``False``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

# WCAG 2.5.5 (AAA), Apple's HIG and Material all ask for 44 × 44 CSS px per touch target.
MIN_TARGET_PX = 44
_PROBES = (Path(__file__).with_name("layout.js")).read_text(encoding="utf-8")


def _probe(page: Page, name: str, *args: Any) -> Any:
    return page.evaluate(
        f"([name, args]) => {{ const p = {_PROBES}; return p[name](...args); }}", [name, list(args)]
    )


def horizontal_overflow(page: Page) -> int:
    """How many px the document is wider than the viewport (0 when nothing sticks out)."""
    extra: int = _probe(page, "overflow")
    return extra


def small_touch_targets(page: Page) -> list[str]:
    """Rendered interactive elements under 44 × 44 px, e.g. ``a.lead-link 184×32``."""
    found: list[str] = _probe(page, "smallTargets", MIN_TARGET_PX)
    return found


def clipped_controls(page: Page) -> list[str]:
    """Controls outside the viewport sideways, or date inputs narrower than their content."""
    found: list[str] = _probe(page, "clippedControls")
    return found


def header_problems(page: Page) -> list[str]:
    """Why the header is not one line (wrapped text, a second row), or nothing."""
    header: dict[str, Any] = _probe(page, "header")
    problems = [f"{name} wraps onto {n} lines" for name, n in header["lines"].items() if n > 1]
    if header["content"] > header["tallest"] + 1:
        problems.append(f"{header['content']} px high for a {header['tallest']} px row")
    if max(header["centres"]) - min(header["centres"]) > 2:
        problems.append(f"items on different rows (centres at {header['centres']} px)")
    return problems


def uneven_rows(page: Page, dl_selector: str) -> list[str]:
    """Rows of the matching ``<dl>``s whose label and value are not in line with the others'."""
    lists: list[list[dict[str, Any]]] = _probe(page, "definitionRows", dl_selector)
    problems: list[str] = []
    for index, rows in enumerate(lists):
        where = f"{dl_selector}[{index}]"
        for row in rows:
            if abs(row["dt"][1] - row["dd"][1]) > 2:
                problems.append(f"{where} «{row['label']}»: the value is not beside its label")
            if abs(row["dt"][0] - rows[0]["dt"][0]) > 1 or abs(row["dd"][0] - rows[0]["dd"][0]) > 1:
                problems.append(f"{where} «{row['label']}»: out of the other rows' columns")
    return problems


def screen_problems(page: Page) -> list[str]:
    """What the phone-first rules find on any screen: overflow, targets, clipping, header."""
    problems = []
    if extra := horizontal_overflow(page):
        problems.append(f"the page is {extra} px wider than the viewport")
    problems += [f"small target: {target}" for target in small_touch_targets(page)]
    problems += [f"clipped: {control}" for control in clipped_controls(page)]
    problems += [f"header: {problem}" for problem in header_problems(page)]
    return problems
