"""`portal deliver-outbox --loop` as a service runs it: SIGTERM (docker stop, systemctl stop) ends it cleanly."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest


def test_sigterm_stops_the_looping_worker_between_rounds(app, db):
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers can only be installed from the main thread")
    previous = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM))  # arrives while it waits 60 s
    started = time.monotonic()
    timer.start()
    try:
        result = app.test_cli_runner().invoke(args=["deliver-outbox", "--loop", "--interval", "60"])
    finally:
        timer.cancel()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 10
    assert result.output.strip().endswith("Stopped (SIGTERM) after finishing the round.")
    assert signal.getsignal(signal.SIGTERM) == previous  # the handler is the worker's only while it runs
