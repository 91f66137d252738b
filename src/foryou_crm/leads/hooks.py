"""``create_app`` calls ``make_hooks(app)``: the leads runner, built from the app's shared
sessionmaker, TokenManager (every amoCRM call goes through it) and clock."""

from __future__ import annotations

from fastapi import FastAPI

from foryou_crm.leads.sync.jobs import SyncDeps
from foryou_crm.leads.sync.runner import LeadsRunner


def make_hooks(app: FastAPI) -> LeadsRunner:
    deps = SyncDeps(
        sessionmaker=app.state.sessionmaker,
        tokens=app.state.tokens,
        clock=app.state.clock,
    )
    return LeadsRunner(deps, app.state.settings)
