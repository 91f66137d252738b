"""An agent's connection to their amoCRM/Kommo account, below both ``amocrm`` (which creates it
through OAuth and calls amoCRM with its tokens) and ``leads`` (which mirrors its data).

- ``models``: the connection row and its sync state row;
- ``repository``: finding and deleting connections;
- ``deps``: ``CurrentConnection``, the caller's connection or 409 ``AMO_NOT_CONNECTED``;
- ``status``: what ``GET /api/amo-crm/status`` answers; ``router``: that route."""
