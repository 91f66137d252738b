"""amoCRM/Kommo as the service talks to it: connecting an agent's account through OAuth
(``oauth/``), the HTTP client (``client``: one shared ``httpx.AsyncClient``, typed errors in
``errors``), every account's request budget (``ratelimit``), access tokens refreshed under a lock
(``tokens``), where each account lives (``hosts``), ending connections (``disconnect``) and the
hourly upkeep (``upkeep``). The routes are in ``router``."""
