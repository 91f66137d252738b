"""The steps of a sync, as stored in ``amo_sync_states.phase``, and how a job run ends."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stopped(Exception):
    """The worker is shutting down: the job saved its place and stops."""


class Phase(StrEnum):
    """Where a sync is. A full pass goes REFERENCE → LEADS → CONTACTS → DETAILS → RECONCILE
    → INCREMENTAL; an incremental pass REFERENCE → INCREMENTAL. A job that stops (SIGTERM, a
    crash) resumes at its phase: LEADS from its saved page, DETAILS after its last batch of
    leads, the others from their start (each is idempotent and short)."""

    NONE = ""
    REFERENCE = "reference"  # pipelines and users; the lead webhook for admins
    LEADS = "leads"  # every lead, by id, page by page (full pass)
    CONTACTS = "contacts"  # the leads' contacts and companies (full pass)
    DETAILS = "details"  # notes and open tasks of every lead (full pass)
    RECONCILE = "reconcile"  # leads the pass did not see are gone (full pass)
    INCREMENTAL = "incremental"  # trashed and changed leads, changed details, since the marks


@dataclass(frozen=True)
class Outcome:
    """How one job run ended. ``resume_in``: seconds after which the job's continuation should
    run (it stopped for SIGTERM, or must wait for amoCRM); None when nothing is left to do.
    ``rejected``: items amoCRM answered in a shape we cannot store (logged one by one)."""

    result: str  # done | nothing-asked | gone | failed | stopped | fenced
    resume_in: float | None = None
    rejected: int = 0


NOTHING_ASKED = Outcome("nothing-asked")
GONE = Outcome("gone")
