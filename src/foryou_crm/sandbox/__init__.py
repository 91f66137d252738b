"""A local amoCRM/Kommo: OAuth consent, token endpoint, API v4, webhooks, faults.

It imports nothing from the rest of `foryou_crm`: it is the other side of the wire.
"""

from .app import create_sandbox_app
from .config import SandboxConfig
from .server import describe
from .state import Sandbox

__all__ = ["Sandbox", "SandboxConfig", "create_sandbox_app", "describe"]
