"""Standalone run mode: `foryou-crm sandbox` calls `run()`."""

from __future__ import annotations

import uvicorn

from .app import create_sandbox_app
from .config import DEMO_ADMIN_LOGIN, DEMO_AGENT_LOGIN, DEMO_PASSWORD, SandboxConfig
from .seed import KOMMO_HOST, REFORYOU_HOST, REFORYOU_ID


def describe(config: SandboxConfig, base_url: str) -> str:
    """The human summary printed at start: URLs, demo logins, the integration.

    The client secret is left out on purpose: the demo may be configured with a real one.
    """
    base = base_url.rstrip("/")
    return "\n".join(
        [
            f"amoCRM sandbox at {base}",
            f"  consent (www):   {base}/oauth?client_id={config.client_id}&state=…",
            f"  amoCRM account:  {base}/accounts/{REFORYOU_HOST}  (id {REFORYOU_ID}, platform 1)",
            f"  Kommo account:   {base}/accounts/{KOMMO_HOST}  (platform 2)",
            f"  admin page:      {base}/_sandbox/admin",
            f"  control API:     {base}/_sandbox/  (reset, clock, faults, requests …)",
            f"  logins:          {DEMO_ADMIN_LOGIN} (admin), {DEMO_AGENT_LOGIN} (agent)",
            f"  password:        {DEMO_PASSWORD}",
            f"  client id:       {config.client_id}",
            f"  redirect URI:    {config.redirect_uri}",
            f"  leads:           {config.leads} (seed {config.seed})",
        ]
    )


def run(
    host: str, port: int, leads: int, seed: int, agencies: int = 0, agency_leads: int = 300
) -> None:
    config = SandboxConfig(
        leads=leads, seed=seed, agencies=agencies, agency_leads=agency_leads, freeze_world=True
    )
    app = create_sandbox_app(config)
    print(describe(config, f"http://{host}:{port}"), flush=True)
    uvicorn.run(app, host=host, port=port, log_level="info")
