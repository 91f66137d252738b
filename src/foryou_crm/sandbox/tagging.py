"""Tags on writes: `_embedded.tags` (replace), `tags_to_add`, `tags_to_delete` — by id or
by name, a new name creating the tag (leads-api.md, contacts-api.md)."""

from __future__ import annotations

from typing import Any

from .models import Account, Tag
from .validation import Errors, bad_type, error


def check_tags(raw: Any, registry: dict[int, Tag], path: str) -> Errors:
    if not isinstance(raw, list):
        return [bad_type(path, "array")]
    errors: Errors = []
    for i, tag in enumerate(raw):
        here = f"{path}.{i}"
        if not isinstance(tag, dict):
            errors.append(error("InvalidType", here, "A tag needs an id or a name."))
        elif "id" in tag:
            if not isinstance(tag["id"], int) or tag["id"] not in registry:
                errors.append(error("NotFound", f"{here}.id", "Tag not found."))
        elif not isinstance(tag.get("name"), str) or not tag["name"].strip():
            errors.append(error("InvalidType", here, "A tag needs an id or a name."))
    return errors


def resolve_tags(
    account: Account, raw: list[dict[str, Any]], registry: dict[int, Tag]
) -> list[Tag]:
    """Tags by id or by name (a new name creates the tag). Input is pre-validated."""
    tags: list[Tag] = []
    for item in raw:
        if "id" in item:
            tag = registry[item["id"]]
        else:
            name = item["name"].strip()
            found = next((t for t in registry.values() if t.name == name), None)
            if found is None:
                found = Tag(account.new_id(), name, None)
                registry[found.id] = found
            tag = found
        if tag not in tags:
            tags.append(tag)
    return tags


def check_tag_changes(item: dict[str, Any], registry: dict[int, Tag]) -> Errors:
    errors: Errors = []
    embedded = item.get("_embedded")
    if isinstance(embedded, dict) and "tags" in embedded:
        errors += check_tags(embedded["tags"], registry, "_embedded.tags")
    for key in ("tags_to_add", "tags_to_delete"):
        if key in item:
            errors += check_tags(item[key], registry, key)
    return errors


def apply_tag_changes(
    account: Account, current: list[Tag], item: dict[str, Any], registry: dict[int, Tag]
) -> list[Tag]:
    """The entity's tags after `_embedded.tags`, `tags_to_add` and `tags_to_delete`."""
    tags = list(current)
    embedded = item.get("_embedded")
    if isinstance(embedded, dict) and "tags" in embedded:
        tags = resolve_tags(account, embedded["tags"] or [], registry)
    for tag in resolve_tags(account, item.get("tags_to_add") or [], registry):
        if tag not in tags:
            tags.append(tag)
    drop = item.get("tags_to_delete") or []
    if drop:
        ids = {t["id"] for t in drop if "id" in t}
        names = {t["name"].strip() for t in drop if "name" in t}
        tags = [t for t in tags if t.id not in ids and t.name not in names]
    return tags
