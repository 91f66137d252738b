"""Imports every table module so ``Base.metadata`` is complete (for Alembic and tests)."""

from __future__ import annotations

import contextlib


def load_all_models() -> None:
    import foryou_crm.amocrm.models
    import foryou_crm.users.models

    # The leads mirror registers its tables when present.
    with contextlib.suppress(ImportError):
        import foryou_crm.leads.models  # noqa: F401
