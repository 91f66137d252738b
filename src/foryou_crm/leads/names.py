"""The names the lead list shows beside a lead's ids — its pipeline's, its status's (with the
colour) and its responsible user's — read for the whole connection at once and kept per
mirror version (``kept``): a page looks them up instead of joining three tables into every
row. A name the mirror does not have is None, as the outer joins gave it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BindParameter, bindparam, select

from foryou_crm.connections.views import SyncView
from foryou_crm.core.direct import DirectReads, Query
from foryou_crm.leads import listed
from foryou_crm.leads.kept import PerMirror
from foryou_crm.leads.models import AmoPipeline, AmoStatus, AmoUser

_STATUSES, _PIPELINES, _USERS = AmoStatus.__table__, AmoPipeline.__table__, AmoUser.__table__
_CID: BindParameter[int] = bindparam("cid", required=True)
_READS = (
    Query(
        select(
            _STATUSES.c.pipeline_amo_id, _STATUSES.c.amo_id, _STATUSES.c.name, _STATUSES.c.color
        ).where(_STATUSES.c.connection_id == _CID)
    ),
    Query(select(_PIPELINES.c.amo_id, _PIPELINES.c.name).where(_PIPELINES.c.connection_id == _CID)),
    Query(select(_USERS.c.amo_id, _USERS.c.name).where(_USERS.c.connection_id == _CID)),
)
_NO_STATUS: tuple[str | None, str | None] = (None, None)
# The names are one per connection: the key beside the connection id in ``PerMirror``.
_ALL: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Names:
    statuses: dict[tuple[int | None, int | None], tuple[str | None, str | None]]
    pipelines: dict[int | None, str | None]
    users: dict[int | None, str | None]
    # ``listed_part`` by (pipeline, status, user): a connection's leads share a few dozen.
    listed_parts: dict[tuple[int | None, int | None, int | None], bytes] = field(
        default_factory=dict, compare=False, repr=False
    )

    def of(
        self, pipeline_id: int | None, status_id: int | None, user_id: int | None
    ) -> tuple[str | None, str | None, str | None, str | None]:
        """The status's name and colour, the pipeline's name, the responsible user's name."""
        status_name, color = self.statuses.get((pipeline_id, status_id), _NO_STATUS)
        return status_name, color, self.pipelines.get(pipeline_id), self.users.get(user_id)

    def listed_part(
        self, pipeline_id: int | None, status_id: int | None, user_id: int | None
    ) -> bytes:
        """``of``'s names as the members a listed item adds (``listed.names_part``)."""
        key = (pipeline_id, status_id, user_id)
        found = self.listed_parts.get(key)
        if found is None:
            found = self.listed_parts[key] = listed.names_part(self.of(*key))
        return found


def _names(rows: Sequence[Sequence[tuple[Any, ...]]]) -> Names:
    statuses, pipelines, users = rows
    return Names(
        {(p, s): (name, color) for p, s, name, color in statuses},
        dict(pipelines),
        dict(users),
    )


async def names_of(
    reads: DirectReads, connection_id: int, state: SyncView | None, kept: PerMirror[Names]
) -> Names:
    """The connection's names, read now unless kept for its mirror's version."""
    version = state.mirror_version if state is not None else None
    if version is not None and (found := kept.get(connection_id, _ALL, version)) is not None:
        return found
    values = {"cid": connection_id}
    names = _names([await reads.all(query, values) for query in _READS])
    if version is not None:
        kept.put(connection_id, _ALL, version, names)
    return names
