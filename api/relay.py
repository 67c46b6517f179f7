"""Waitress's task queue served by one thread at a time, relieved when its request is slow.

Waitress gives every queued request to a free thread at once, so under load all threads of a
process run Python together and pass the GIL back and forth at every socket or database call. On
two cores, serving in turn as here took 11-32% less CPU per feed request and gave an 11-42%
lower p95 (`bench/serving_configs.py`, README: Serving). One thread per process would stop the
process whenever a request waits long (a sign-in hashes its password for ~140 ms; a row lock),
so here one thread serves the queue in turn, and another joins only while every running request
has taken longer than `relay_after` (the others stay asleep; one of them, the standby, looks
when the newest running request stops being quick, else every `relay_after` while requests
run). Requests are served in arrival order as before.
"""

from __future__ import annotations

import time
from typing import Any

from waitress.task import ThreadedTaskDispatcher

RELAY_AFTER_S = 0.02


class RelayDispatcher(ThreadedTaskDispatcher):  # type: ignore[misc]  # waitress is untyped
    """A thread takes the next request only when none of the running ones is quick yet."""

    def __init__(self, relay_after: float = RELAY_AFTER_S) -> None:
        if not 0 < relay_after <= 60:  # a zero or endless wait would spin or never relieve
            raise ValueError(f"relay_after must be over 0 and at most 60 s, not {relay_after!r}")
        super().__init__()
        self.relay_after = relay_after
        self.running: dict[int, float] = {}  # thread number -> when its request started
        self.standby: int | None = None  # the one idle thread that looks while requests run

    def _one_is_quick(self, now: float) -> bool:
        """Some running request started less than `relay_after` ago: it will take the next."""
        return any(now - started < self.relay_after for started in self.running.values())

    def _next_look(self, now: float) -> float:
        """How long the standby sleeps: until the newest running request stops being quick (so
        relief comes `relay_after` after it started, not up to twice that), else one period."""
        newest = max(self.running.values(), default=now - self.relay_after)
        left = newest + self.relay_after - now
        return left if left > 0.001 else self.relay_after

    def handler_thread(self, thread_no: int) -> None:
        """Serve requests until told to stop (waitress's loop, with the relay rule)."""
        while True:
            with self.lock:
                self.running.pop(thread_no, None)
                while True:
                    if self.stop_count > 0:
                        if self.standby == thread_no:
                            self.standby = None
                        self.active_count -= 1
                        self.stop_count -= 1
                        self.threads.discard(thread_no)
                        self.thread_exit_cv.notify()
                        return
                    if self.queue and not self._one_is_quick(time.monotonic()):
                        break
                    if self.standby is None and self.running:
                        self.standby = thread_no
                    self.active_count -= 1
                    self.queue_cv.wait(
                        self._next_look(time.monotonic()) if self.standby == thread_no else None
                    )
                    self.active_count += 1
                    if self.standby == thread_no and not self.running:
                        self.standby = None  # nothing runs: sleep until a request comes
                if self.standby == thread_no:
                    self.standby = None
                task = self.queue.popleft()
                self.running[thread_no] = time.monotonic()
                if self.standby is None and len(self.threads) > len(self.running):
                    self.queue_cv.notify()  # an idle thread becomes the standby
            try:
                task.service()
            except BaseException:
                self.logger.exception("Exception when servicing %r", task)

    def add_task(self, task: Any) -> None:
        """Queue a request; wake a thread only when no running request will take it soon."""
        with self.lock:
            self.queue.append(task)
            if not self._one_is_quick(time.monotonic()):
                self.queue_cv.notify()
