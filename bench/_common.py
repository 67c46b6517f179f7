"""Shared helpers for benchmarks: timing statistics and signing in through the real stack."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], Any], *, runs: int, warmup: int = 3) -> list[float]:
    """Wall-clock milliseconds of `runs` calls after a warm-up."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(name: str, ms: list[float]) -> str:
    """One line with p50, p95 and max."""
    q = statistics.quantiles(ms, n=100)
    return (
        f"{name}: n={len(ms)} p50={statistics.median(ms):.1f} ms p95={q[94]:.1f} ms "
        f"max={max(ms):.1f} ms"
    )


def login(client: Any, email: str, password: str) -> dict[str, str]:
    """Bearer header from a real login."""
    resp = client.post("/v1/auth/login", json={"email": email, "password": password})
    assert resp.status_code == 200, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['accessToken']}"}
