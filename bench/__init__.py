"""``python -m bench``: the leads mirror benchmark (sync, API latency, pass-through)."""
