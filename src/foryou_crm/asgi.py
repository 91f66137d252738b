"""ASGI entry point for production servers: ``uvicorn foryou_crm.asgi:app``."""

from foryou_crm.app import create_app

app = create_app(freeze_startup_heap=True)
