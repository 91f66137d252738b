"""A movable clock: real time plus an offset the control API can advance.

Codes, tokens, rate windows and blocks all read this clock, so a test can jump three
months ahead instead of waiting.
"""

from __future__ import annotations

import time


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def now_int(self) -> int:
        return int(self.now())

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self.offset += seconds
        return self.now()

    def reset(self) -> None:
        self.offset = 0.0
