"""The agent's leads, served from a local mirror of their amoCRM account: the tables
(``models``), what ``GET /leads`` asks (``filter``) and how it is read (``queries``, with each
database's hooks in ``dialects`` and its text index in ``search``), the writes (``store``,
``amo``: amoCRM JSON to rows), amoCRM's lead webhooks (``webhooks``) and keeping the mirror in
step (``sync/``). The routes are in ``router``."""
