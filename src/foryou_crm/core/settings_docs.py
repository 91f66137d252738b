"""docs/configuration.md, written from the settings class so the reference cannot drift from it.

    python -m foryou_crm.core.settings_docs docs/configuration.md

Every field of ``Settings`` becomes one row: its environment variable, type, default and its
``Field(description=…)``; a field without a description is an error, not a blank cell."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import SecretStr
from pydantic.fields import FieldInfo

from foryou_crm.core.config import PRODUCTION_SECRETS, Settings, env_name

COMMAND = "python -m foryou_crm.core.settings_docs docs/configuration.md"

INTRO = f"""# Configuration reference

<!-- Generated from src/foryou_crm/core/config.py by `{COMMAND}`.
     Edit the Field descriptions there, not this file: a test fails when the two differ. -->

Every setting is an environment variable with the prefix `FORYOU_`; a `.env` file in the
working directory is read too (the environment wins). Lists are comma separated. In
development the secrets left empty are generated once under `FORYOU_DATA_DIR`, so
`foryou-crm demo` needs no configuration at all.

With `FORYOU_ENVIRONMENT=production` the service refuses to start, naming every problem at
once, while a secret marked **required in production** is missing or still a placeholder (a
value containing `change-me`, `changeme`, `placeholder`, `dev-insecure` or `example`),
`FORYOU_JWT_SECRET` is shorter than 32 characters, `FORYOU_TOKEN_ENCRYPTION_KEYS` does not
parse, the password in `FORYOU_DATABASE_URL` is a placeholder, `FORYOU_AMOCRM_SANDBOX_URL` is
set or `FORYOU_PUBLIC_BASE_URL` is not https. The container deployment takes its values from
`.env` (see `.env.example` and [operations.md](operations.md)).

| Variable | Type | Default | What it does |
|---|---|---|---|
"""

_TYPE_NAMES: dict[Any, str] = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    Path: "path",
    SecretStr: "secret",
}


def render() -> str:
    rows = [_row(name, field) for name, field in Settings.model_fields.items()]
    return INTRO + "\n".join(rows) + "\n"


def _row(name: str, field: FieldInfo) -> str:
    if not field.description:
        raise ValueError(f"Settings.{name} has no Field(description=...)")
    description = field.description
    if name in PRODUCTION_SECRETS:
        description = f"**Required in production.** {description}"
    cells = [f"`{env_name(name)}`", _type(field), _default(field), description]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _type(field: FieldInfo) -> str:
    annotation = field.annotation
    optional = False
    if get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        optional = len(members) < len(get_args(annotation))
        (annotation,) = members
    if get_origin(annotation) is Literal:
        text = "one of " + ", ".join(f"`{value}`" for value in get_args(annotation))
    elif get_origin(annotation) is list:
        text = "comma-separated list"
    else:
        text = _TYPE_NAMES[annotation]
    bounds = [_bound(constraint) for constraint in field.metadata]
    return ", ".join([text + (" (optional)" if optional else ""), *filter(None, bounds)])


def _bound(constraint: object) -> str | None:
    if isinstance(constraint, annotated_types.Gt):
        return f"> {constraint.gt}"
    if isinstance(constraint, annotated_types.Ge):
        return f"≥ {constraint.ge}"
    if isinstance(constraint, annotated_types.Le):
        return f"≤ {constraint.le}"
    return None


def _default(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True, validated_data={})
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        value = ",".join(value)
    if isinstance(value, Path) and not value.is_absolute():
        value = f"./{value}"
    return f"`{value}`" if value != "" else "empty"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(f"usage: {COMMAND}", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
