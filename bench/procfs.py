"""Which process holds which TCP connection, read from /proc (Linux): for the benchmarks' CPU
accounting and for the test that the server processes share connections evenly."""

from __future__ import annotations

import os
from pathlib import Path


def tcp_sockets() -> list[tuple[int, int, str]]:
    """(local port, remote port, socket inode) of every IPv4 TCP socket on the machine."""
    out = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        cols = line.split()
        local, remote = int(cols[1].split(":")[1], 16), int(cols[2].split(":")[1], 16)
        out.append((local, remote, cols[9]))
    return out


def socket_owners(pids: list[int]) -> dict[str, int]:
    """Socket inode -> which of these processes holds it."""
    out = {}
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                out[target[8:-1]] = pid
    return out


def all_pids() -> list[int]:
    """Every process on the machine (as far as /proc shows them)."""
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def workers_of(server_port: int, workers: list[int]) -> dict[int, int]:
    """Client port -> worker pid, for every open connection to the server."""
    owner = socket_owners(workers)
    return {
        remote: owner[inode]
        for local, remote, inode in tcp_sockets()
        if local == server_port and remote and inode in owner
    }
