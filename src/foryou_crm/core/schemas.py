"""The base of every API shape: snake_case in Python, camelCase on the wire."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class CamelModel(BaseModel):
    # In responses every field is sent, defaults included: the OpenAPI document (the contract,
    # docs/openapi.json) says so, so clients need not treat them as optional.
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        json_schema_serialization_defaults_required=True,
    )


class Envelope(BaseModel, Generic[T]):
    """``{"success": true, "data": T}``, the success shape: a route's ``response_model``, so
    its OpenAPI entry names exactly what ``data`` holds and nothing undeclared is ever sent
    (FastAPI answers through the model)."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)
    success: Literal[True] = True
    data: T
