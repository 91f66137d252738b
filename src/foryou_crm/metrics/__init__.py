"""``GET /metrics`` for Prometheus: what the processes recorded (``core/metrics.py``: HTTP
requests, amoCRM calls, rate-budget waits, token refreshes, sync phases), summed over every
worker in multiprocess mode, plus levels read from the database when scraped (users,
connections, leads mirrored, sync lag, job queue).

- ``http``: the middleware timing every request by route template;
- ``database``: the scrape-time families;
- ``exposition``: one text page from both, and the multiprocess directory ``serve`` prepares;
- ``router``: the route, and who may read it (``FORYOU_METRICS_ENABLED`` / ``_TOKEN``).

docs/operations.md ("Metrics") lists every metric with suggested alert rules."""
