"""Configuration of the amoCRM/Kommo sandbox.

Everything a test or the demo may want to change lives here, with defaults that make
`foryou-crm demo` work with no configuration at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

DEMO_CLIENT_ID = "5f0c8a2e-7d3b-4c1a-9e6f-2b8d4a1c9e70"
DEMO_CLIENT_SECRET = "sandbox-demo-secret-kX9pQ2vR7tY4wZ1mN8bC5dF3gH6jL0sA"
DEMO_PASSWORD = "amo-password"
DEMO_ADMIN_LOGIN = "amo-admin@reforyou.example"
DEMO_AGENT_LOGIN = "amo-agent@reforyou.example"

DAY = 86_400


@dataclass
class SandboxConfig:
    """How the sandbox behaves. Mutable at runtime only through the control API."""

    leads: int = 300
    seed: int = 1
    # More amoCRM accounts beside the two (agency01.amocrm.ru …, admin
    # amo-admin@agency01.example), each with `agency_leads` leads: loads of many accounts.
    agencies: int = 0
    agency_leads: int = 300
    # Unix time the seeded history ends at (leads spread over two years before it).
    # None = the start of the current UTC day, so data is deterministic for a seed within a day.
    anchor: int | None = None

    # The one registered integration (amoCRM keeps these in the integration's settings).
    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET
    integration_name: str = "ForYou CRM"
    redirect_uri: str = "http://127.0.0.1:8000/api/amo-crm/callback"
    disconnect_hook_url: str | None = "http://127.0.0.1:8000/api/amo-crm/webhooks/disconnect"

    # Rate limits, per account (see README: the scope of the real limit is UNCONFIRMED).
    rate_limit_rps: float = 7.0
    retry_after: int = 1
    block_after_violations: int = 30
    block_seconds: float = 3600.0
    # Only the 429s of the last `violation_window` seconds count towards a block (limits.py).
    violation_window: float = 600.0

    # Lifetimes (seconds) from the reference: code 20 min, access 1 day, refresh 3 months.
    code_ttl: int = 1200
    access_ttl: int = DAY
    refresh_ttl: int = 90 * DAY

    # Webhooks: amoCRM waits 2 s for an answer and retries after 5 min, 15 min, 15 min, 1 h.
    webhook_retry_delays: list[float] = field(default_factory=lambda: [300.0, 900.0, 900.0, 3600.0])
    hook_timeout: float = 2.0
    # Transport for webhooks and the disconnect hook; None = the real network.
    outbound_transport: httpx.AsyncBaseTransport | None = None

    # How long a "timeout" fault hangs by default.
    default_fault_seconds: float = 30.0
    # Size cap of the in-memory request log (oldest entries are dropped, counters are kept).
    request_log_limit: int = 50_000
    # Move the world out of the garbage collector's reach once it is drawn (``gc.freeze``):
    # the sandbox's own server process does (``foryou-crm sandbox``); an app inside a test
    # process leaves the collector alone.
    freeze_world: bool = False
