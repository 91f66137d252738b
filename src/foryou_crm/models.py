"""Imports every table module so ``Base.metadata`` is complete (for Alembic and tests)."""

from __future__ import annotations


def load_all_models() -> None:
    pass
