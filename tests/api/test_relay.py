"""The server's task queue: one thread serves requests in turn; a slow one is relieved."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from api.relay import RelayDispatcher
from api.server import ServeConfig

WAIT_S = 10.0  # an upper bound for a test that would otherwise hang; never reached when it works


class Request:
    """What waitress queues: `service()` runs it, `cancel()` drops it."""

    def __init__(
        self, log: list[tuple[int, int]], n: int, body: Callable[[], object] = lambda: None
    ):
        self.log, self.n, self.body = log, n, body
        self.started, self.done, self.cancelled = threading.Event(), threading.Event(), False

    def service(self) -> None:
        self.started.set()
        self.body()
        self.log.append((self.n, threading.get_ident()))
        self.done.set()

    def cancel(self) -> None:
        self.cancelled = True


@pytest.fixture()
def dispatchers() -> Iterator[Callable[[float], RelayDispatcher]]:
    made: list[RelayDispatcher] = []

    def make(relay_after: float) -> RelayDispatcher:
        d = RelayDispatcher(relay_after)
        d.set_thread_count(4)
        made.append(d)
        return d

    yield make
    for d in made:
        d.shutdown(timeout=WAIT_S)


def test_quick_requests_are_served_in_arrival_order_by_one_thread(dispatchers) -> None:
    d = dispatchers(60.0)  # no request here is slow by this measure
    log: list[tuple[int, int]] = []
    go = threading.Event()
    first = Request(log, 0, lambda: go.wait(WAIT_S))
    d.add_task(first)
    assert first.started.wait(WAIT_S)
    rest = [Request(log, n) for n in range(1, 50)]
    for r in rest:
        d.add_task(r)
    go.set()
    assert rest[-1].done.wait(WAIT_S)
    assert [n for n, _ in log] == list(range(50))
    assert len({thread for _, thread in log}) == 1  # the others slept: no GIL passed around


def test_a_slow_request_is_relieved_and_the_others_are_served_meanwhile(dispatchers) -> None:
    d = dispatchers(0.02)
    log: list[tuple[int, int]] = []
    release = threading.Event()
    slow = Request(log, 0, lambda: release.wait(WAIT_S))  # a sign-in hashing, a row lock
    d.add_task(slow)
    assert slow.started.wait(WAIT_S)
    quick = [Request(log, n) for n in range(1, 6)]
    for r in quick:
        d.add_task(r)
    try:
        assert quick[-1].done.wait(WAIT_S)  # without relief: only after the slow one
        assert not slow.done.is_set()
    finally:
        release.set()
    assert slow.done.wait(WAIT_S)
    served = dict(log)
    assert sorted(n for n, _ in log[:5]) == [1, 2, 3, 4, 5] and log[-1][0] == 0
    assert served[0] not in {served[n] for n in range(1, 6)}


def test_the_standby_looks_when_the_newest_request_stops_being_quick() -> None:
    """Relief `relay_after` after a request starts, however the standby's sleep fell (a fixed
    period gave it between one and two periods after)."""
    d = RelayDispatcher(0.3)
    now = 1000.0
    d.running = {1: now - 0.25, 2: now - 0.1}  # the newest turns 0.3 s old in 0.2 s
    assert d._next_look(now) == pytest.approx(0.2)
    d.running = {1: now - 0.5}  # nothing quick runs (and nothing waits): one period
    assert d._next_look(now) == pytest.approx(0.3)
    d.running = {1: now - 0.2999999}  # a moment away: no busy loop of tiny sleeps
    assert d._next_look(now) == pytest.approx(0.3)


def test_as_many_slow_requests_as_threads_each_get_one(dispatchers) -> None:
    d = dispatchers(0.02)
    log: list[tuple[int, int]] = []
    release = threading.Event()
    slow = [Request(log, n, lambda: release.wait(WAIT_S)) for n in range(4)]
    for r in slow:
        d.add_task(r)
    try:
        for r in slow:
            assert r.started.wait(WAIT_S)
        late = Request(log, 4)
        d.add_task(late)
        assert not late.done.wait(0.2)  # every thread is taken: it waits its turn
    finally:
        release.set()
    assert late.done.wait(WAIT_S)
    assert all(r.done.wait(WAIT_S) for r in slow)
    assert len({thread for n, thread in log if n < 4}) == 4


def test_a_failing_request_is_logged_and_the_thread_serves_on(dispatchers, caplog) -> None:
    d = dispatchers(60.0)
    log: list[tuple[int, int]] = []

    def fail() -> None:
        raise RuntimeError("boom")

    d.add_task(Request(log, 0, fail))
    after = Request(log, 1)
    d.add_task(after)
    assert after.done.wait(WAIT_S)
    assert "Exception when servicing" in caplog.text


def test_shutdown_stops_every_thread_and_cancels_what_waits() -> None:
    d = RelayDispatcher(0.02)
    d.set_thread_count(4)
    d.set_thread_count(3)  # waitress may shrink the pool: a sleeping thread leaves
    log: list[tuple[int, int]] = []
    release = threading.Event()
    busy = [Request(log, n, lambda: release.wait(0.3)) for n in range(3)]
    for r in busy:
        d.add_task(r)
    for r in busy:
        assert r.started.wait(WAIT_S)  # the three left are all taken
    waiting = Request(log, 3)
    d.add_task(waiting)
    d.shutdown(cancel_pending=True, timeout=WAIT_S)
    assert not d.threads  # every thread ended, each after its request
    assert all(r.done.is_set() for r in busy)
    assert waiting.cancelled and not waiting.started.is_set()


def test_the_relay_is_on_unless_turned_off() -> None:
    assert ServeConfig.from_env({}).relay_after == pytest.approx(0.02)
    assert ServeConfig.from_env({"WEB_RELAY_MS": "50"}).relay_after == pytest.approx(0.05)
    for off in ("off", "OFF", "0", "0.0", "-5"):
        assert ServeConfig.from_env({"WEB_RELAY_MS": off}).relay_after is None
    for bad in ("inf", "nan", "9e12", "soon"):  # a spinning or endless wait: refused at start
        with pytest.raises(ValueError, match="WEB_RELAY_MS|could not convert"):
            ServeConfig.from_env({"WEB_RELAY_MS": bad})
    with pytest.raises(ValueError):
        RelayDispatcher(0.0)
