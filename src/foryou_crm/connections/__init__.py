"""An agent's connection to their amoCRM/Kommo account, below both ``amocrm`` (which creates it
through OAuth and calls amoCRM with its tokens) and ``leads`` (which mirrors its data).

- ``models``: the connection row, its sync state row, and why the user's last one ended;
- ``repository``: finding and deleting connections;
- ``endings``: ending connections and keeping why and when (until the user connects again);
- ``deps``: ``CurrentConnection``, the caller's connection or 409 ``AMO_NOT_CONNECTED``;
- ``status``: what ``GET /api/amo-crm/status`` answers; ``router``: that route."""
