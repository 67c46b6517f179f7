"""p50 of POST /v1/auth/login (argon2id at 19 MiB, t=2, p=1 is deliberately slow).

Run: `make seed` once, then `.venv/bin/python -m bench.login`.
"""

from __future__ import annotations

import os

from api.app import create_app
from api.config import Settings
from bench._common import summary, timed


def main(runs: int = 40) -> None:
    # The bench signs in 80 times a minute: measure hashing, not the (per-account) rate limit.
    app = create_app(Settings.from_env({**os.environ, "RATE_LIMITS": "off"}))
    client = app.test_client()

    def one() -> None:
        resp = client.post(
            "/v1/auth/login", json={"email": "coach1.epe@example.org", "password": "meedoen-demo"}
        )
        assert resp.status_code == 200

    def wrong() -> None:
        resp = client.post(
            "/v1/auth/login", json={"email": "nobody@example.org", "password": "meedoen-demo"}
        )
        assert resp.status_code == 401

    print(summary("POST /v1/auth/login (ok)", timed(one, runs=runs)))
    print(summary("POST /v1/auth/login (unknown account)", timed(wrong, runs=runs)))


if __name__ == "__main__":
    main()
