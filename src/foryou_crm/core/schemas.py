"""The base of every API shape: snake_case in Python, camelCase on the wire."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    # In responses every field is sent, defaults included: the OpenAPI document (the contract,
    # docs/openapi.json) says so, so clients need not treat them as optional.
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        json_schema_serialization_defaults_required=True,
    )
