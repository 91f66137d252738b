"""Our log lines go straight to the stream; a stream that refuses them never breaks the
request or job that logged."""

from __future__ import annotations

import io
import json

import structlog

from foryou_crm.core.logging import configure_logging


def test_a_closed_stream_drops_the_line_and_the_caller_goes_on() -> None:
    stream = io.StringIO()
    configure_logging(json=True, level="INFO", stream=stream)
    try:
        log = structlog.get_logger("foryou_crm.test")
        log.info("first", user_id=7)
        line = json.loads(stream.getvalue())
        assert (line["event"], line["user_id"], line["logger"]) == ("first", 7, "foryou_crm.test")
        stream.close()
        log.warning("after_close")  # reported on stderr by stdlib logging's handler, not raised
    finally:
        configure_logging(json=False, level="WARNING")


def test_the_level_applies_to_loggers_built_before() -> None:
    stream = io.StringIO()
    log = structlog.get_logger("foryou_crm.test.level")
    configure_logging(json=True, level="WARNING", stream=stream)
    try:
        log.info("hidden")
        log.warning("shown")
        configure_logging(json=True, level="DEBUG", stream=stream)
        log.debug("shown_too")
        events = [json.loads(x)["event"] for x in stream.getvalue().splitlines()]
        assert events == ["shown", "shown_too"]
    finally:
        configure_logging(json=False, level="WARNING")
