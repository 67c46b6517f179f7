"""Serve the API with waitress in a few processes: a thread only ever sees a whole request.

Why waitress (numbers in the README, from `bench/slow_clients.py`): its one I/O thread per process
reads requests without blocking and hands a thread only a complete request (headers and body), so
connections that send a byte every few seconds cost a socket, not a worker. Here it adds:

- several processes on one listening socket (like gunicorn's workers), restarted when one dies;
- a bounded number of connections per process (WEB_CONNECTION_LIMIT) and an idle timeout;
- per connection (`api.channel`): problem+json for the server's own errors, short bodies as 400,
  a read deadline (REQUEST_READ_TIMEOUT) with 408;
- one thread serves a process's queue in turn, another joins only for a slow request
  (`api.relay`, WEB_RELAY_MS); what lives as long as the process stays out of full collections.

Run: `python -m api.server` (scripts/serve.sh does, with HOST and PORT).
"""

from __future__ import annotations

import ctypes
import logging
import math
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.sharedctypes import RawArray
from typing import Any

from waitress.server import create_server

from api.channel import MAX_BODY_BYTES, MAX_HEADER_BYTES, GuardedChannel
from api.relay import RELAY_AFTER_S, RelayDispatcher

log = logging.getLogger("meedoen.server")


@dataclass(frozen=True)
class ServeConfig:
    """How to serve; from the environment, with defaults chosen by bench/slow_clients.py."""

    host: str = "127.0.0.1"
    port: int = 5000
    processes: int = 2
    threads: int = 4
    connection_limit: int = 500
    idle_timeout: int = 60
    read_timeout: float = 30.0
    access_log: bool = True
    relay_after: float | None = RELAY_AFTER_S  # None: waitress hands requests to all threads

    @classmethod
    def from_env(cls, e: dict[str, str] | None = None) -> ServeConfig:
        """HOST, PORT, WEB_CONCURRENCY, WEB_THREADS, WEB_CONNECTION_LIMIT, ..."""
        e = dict(os.environ if e is None else e)
        return cls(
            host=e.get("HOST", cls.host),
            port=int(e.get("PORT", cls.port)),
            processes=max(1, int(e.get("WEB_CONCURRENCY", cls.processes))),
            threads=max(1, int(e.get("WEB_THREADS", cls.threads))),
            connection_limit=int(e.get("WEB_CONNECTION_LIMIT", cls.connection_limit)),
            idle_timeout=int(e.get("IDLE_TIMEOUT", cls.idle_timeout)),
            read_timeout=float(e.get("REQUEST_READ_TIMEOUT", cls.read_timeout)),
            access_log=e.get("ACCESS_LOG", "on").lower() not in ("off", "0", "false"),
            relay_after=relay_after_s(e.get("WEB_RELAY_MS", "")),
        )


def relay_after_s(setting: str) -> float | None:
    """WEB_RELAY_MS as seconds: empty is the default, `off` or 0 is None (waitress's queue)."""
    if setting.strip().lower() == "off":
        return None
    ms = float(setting) if setting.strip() else RELAY_AFTER_S * 1000
    if not math.isfinite(ms) or ms > 60_000:
        raise ValueError(f"WEB_RELAY_MS must be off or 0-60000 milliseconds, not {setting!r}")
    return ms / 1000 if ms > 0 else None


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def access_logged(app: WsgiApp) -> WsgiApp:
    """One line per request: method, path (no query string: it may hold personal data), status."""
    access = logging.getLogger("meedoen.access")

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        t0 = time.perf_counter()
        status = ["-"]

        def start(s: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = s.split(" ", 1)[0]
            return start_response(s, headers, exc_info)

        try:
            return app(environ, start)
        finally:
            access.info(
                "%s %s %s %s %.1fms",
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD", "-"),
                environ.get("PATH_INFO", "-"),
                status[0],
                (time.perf_counter() - t0) * 1000,
            )

    return wrapped


NOT_SERVING = 2**30  # a process slot that is starting, or gone: never the least loaded


class Balance:
    """Open connections per process, in memory the forked processes share.

    Processes race to accept on one socket, and a burst of keep-alive connections often went
    mostly to one (13 of 16 seen in `bench.matching`): that process's threads queued on one
    core's GIL while the other idled. A process now accepts only while it holds no more
    connections than the least loaded one; the least loaded always accepts, so none starve.
    """

    def __init__(self, processes: int) -> None:
        self.counts = RawArray(ctypes.c_int, [NOT_SERVING] * processes)

    def may_accept(self, slot: int, open_connections: int) -> bool:
        self.counts[slot] = open_connections
        return bool(open_connections <= min(self.counts))


def _balanced(server: Any, balance: Balance, slot: int) -> None:
    """Let `server` poll its listening socket only while `balance` says so."""
    fixed = len(server._map)  # the listening socket and waitress's trigger: not connections
    plain = server.readable

    def readable() -> bool:
        accepting = bool(plain())  # also waitress's own upkeep (idle connections, limit)
        return balance.may_accept(slot, len(server._map) - fixed) and accepting

    server.readable = readable


def serve_socket(
    sock: socket.socket, config: ServeConfig, balance: Balance | None = None, slot: int = 0
) -> None:
    """One process: build the app (after a fork: own database pool) and serve until SIGTERM."""
    from api.app import create_app
    from api.feed.catalog import CATALOG, keep_out_of_collections

    app: WsgiApp = create_app()
    # The app and each catalogue table live as long as the process: out of the collector's
    # walks, so a full collection does not stop the process for a third of a second.
    keep_out_of_collections()
    CATALOG.after_load = keep_out_of_collections
    if config.access_log:
        app = access_logged(app)
    dispatcher = None
    if config.relay_after is not None:
        dispatcher = RelayDispatcher(config.relay_after)
        dispatcher.set_thread_count(config.threads)
    server = create_server(
        app,
        sockets=[sock],
        threads=config.threads,
        connection_limit=config.connection_limit,
        channel_timeout=config.idle_timeout,
        cleanup_interval=min(30, config.idle_timeout),
        max_request_header_size=MAX_HEADER_BYTES,
        max_request_body_size=MAX_BODY_BYTES + 1,  # waitress refuses >= this; Flask refuses >
        asyncore_use_poll=True,  # select() stops at file descriptor 1024
        clear_untrusted_proxy_headers=False,  # the app's ProxyFix (PROXY_COUNT) decides
        ident="meedoen",
        expose_tracebacks=False,
        _dispatcher=dispatcher,  # waitress's own when None
    )
    channel = type("Channel", (GuardedChannel,), {"read_timeout": config.read_timeout})
    server.channel_class = channel
    if balance is not None:
        _balanced(server, balance, slot)
        # One that stepped back from accepting looks again soon (waitress's setting is whole
        # seconds: 1 by default, 0 would spin), so set on the server's own adjustments.
        server.adj.asyncore_loop_timeout = 0.1

    def _stop(_sig: int, _frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once; a second signal must not interrupt
        if balance is not None:
            balance.counts[slot] = NOT_SERVING  # the others accept while this one drains
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    server.run()  # returns on SystemExit after the running requests finished (up to 5 s)


def bind(config: ServeConfig) -> socket.socket:
    """The listening socket, shared by all processes."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    return socket.create_server((config.host, config.port), family=family, backlog=2048)


def main() -> None:
    """Bind once, fork the processes, restart one that dies, stop all on SIGTERM/SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = ServeConfig.from_env()
    from api.config import Settings

    Settings.from_env()  # refuse a bad configuration before forking (ConfigError)
    sock = bind(config)
    log.info(
        "serving on http://%s:%s with %d process(es) x %d threads",
        config.host,
        config.port,
        config.processes,
        config.threads,
    )
    if config.processes == 1:
        serve_socket(sock, config)
        return
    Supervisor(sock, config).run()


class Supervisor:
    """Keeps `processes` children serving the socket; gives up when they keep dying at start."""

    def __init__(self, sock: socket.socket, config: ServeConfig) -> None:
        self.sock = sock
        self.config = config
        self.children: dict[int, float] = {}  # pid -> start time
        self.slots: dict[int, int] = {}  # pid -> its place in `balance`
        self.balance = Balance(config.processes)
        self.stopping = False
        self.quick_deaths = 0

    def spawn(self, slot: int) -> None:
        self.balance.counts[slot] = NOT_SERVING  # until the new process serves
        pid = os.fork()
        if pid == 0:  # child
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with SIGTERM
            code = 0
            try:
                serve_socket(self.sock, self.config, self.balance, slot)
            except BaseException:  # noqa: BLE001 - report, then leave without parent's cleanup
                log.exception("server process failed")
                code = 1
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = time.monotonic()
        self.slots[pid] = slot

    def stop(self, _sig: int = 0, _frame: Any = None) -> None:
        self.stopping = True
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                self.children.pop(pid, None)

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        for slot in range(self.config.processes):
            self.spawn(slot)
        deadline: float | None = None
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                if self.stopping:
                    deadline = deadline or time.monotonic() + 10
                    if time.monotonic() > deadline:  # a child did not stop in time
                        for child in self.children:
                            os.kill(child, signal.SIGKILL)
                time.sleep(0.2)
                continue
            started = self.children.pop(pid, time.monotonic())
            slot = self.slots.pop(pid, 0)
            self.balance.counts[slot] = NOT_SERVING  # its connections went with it
            if self.stopping:
                continue
            self.quick_deaths = self.quick_deaths + 1 if time.monotonic() - started < 5 else 0
            log.error("server process %d ended (%s); starting another", pid, status)
            if self.quick_deaths >= 5:
                log.error("server processes keep dying at start; giving up")
                self.stop()
                sys.exit(1)
            time.sleep(min(5.0, 0.5 * self.quick_deaths))
            self.spawn(slot)


if __name__ == "__main__":
    main()
