"""The CRM screen served to browsers at ``/app`` (see ``router``)."""

from foryou_crm.web.router import router

__all__ = ["router"]
