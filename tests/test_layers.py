"""Which way imports go (docs/architecture.md): a package never imports one above it. The
composition root (``services``, ``app``, ``cli``) may import anything; routes and dependencies
reach the other domains' parts only through ``Services``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "foryou_crm"

# package → packages of foryou_crm it must not import (directly, anywhere in its modules).
TOP = {"admin", "metrics", "web", "sandbox", "app"}  # what no domain may import
FORBIDDEN: dict[str, set[str]] = {
    "core": {"users", "connections", "amocrm", "leads", "services", *TOP},
    "users": {"connections", "amocrm", "leads", *TOP},
    "connections": {"amocrm", "leads", *TOP},
    "amocrm": {"leads", *TOP},
    "leads": TOP,
    "web": {"users", "connections", "amocrm", "leads", "services", *TOP - {"web"}},
    # The two packages above every domain: neither needs the other.
    "admin": TOP - {"admin"},
    "metrics": TOP - {"metrics"},
}


def _imports(path: Path) -> set[str]:
    """The foryou_crm subpackages/modules a file imports (first component after foryou_crm)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "foryou_crm" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_down(package: str) -> None:
    wrong = {
        f"{path.relative_to(PACKAGE)} imports foryou_crm.{name}"
        for path in (PACKAGE / package).rglob("*.py")
        for name in _imports(path) & FORBIDDEN[package]
    }
    assert not wrong, sorted(wrong)


def test_the_sandbox_imports_nothing_from_the_service() -> None:
    wrong = {
        f"{path.relative_to(PACKAGE)} imports foryou_crm.{name}"
        for path in (PACKAGE / "sandbox").rglob("*.py")
        for name in _imports(path) - {"sandbox"}
    }
    assert not wrong, sorted(wrong)


def test_the_checker_sees_imports() -> None:
    """The rule above can fail: a file of this package that imports another is seen."""
    assert "connections" in _imports(PACKAGE / "leads" / "router.py")
