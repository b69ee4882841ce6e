"""Named crash points for the exactly-once tests: the process kills itself where a test asks.

A test sets PANTAU_TEST_CRASH_AT to one of CRASH_POINTS and runs `pantau digest` in a
subprocess; at that point the process ends with SIGKILL, as an OOM kill or power cut would,
with no clean-up of any kind. Unset (always, outside tests), a crash point does nothing.
"""

from __future__ import annotations

import os
import signal

CRASH_POINTS = ("before_build", "after_build", "during_send", "after_send")


def crash_point(name: str) -> None:
    """Die here, instantly, if the environment names this point."""
    if os.environ.get("PANTAU_TEST_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
