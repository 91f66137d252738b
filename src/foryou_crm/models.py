"""Imports every table module so ``Base.metadata`` is complete (for Alembic and tests)."""

from __future__ import annotations

import importlib

TABLE_MODULES = (
    "foryou_crm.users.models",
    "foryou_crm.connections.models",
    "foryou_crm.amocrm.oauth.models",
    "foryou_crm.leads.models",
)


def load_all_models() -> None:
    # Imported for their side effect: each module registers its tables on Base.metadata.
    for name in TABLE_MODULES:
        importlib.import_module(name)
