"""Keeping the mirror in step with amoCRM: the sync jobs (``jobs``), how they call amoCRM
(``pacing``) and the in-process runner that schedules them (``runner``; issue 13 replaces it
with a job queue)."""
