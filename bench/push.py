"""Push providers against the local stand-ins: messages per second, one device at a time.

Run: `.venv/bin/python -m bench.push [count]`. FCM over HTTP/1.1 keep-alive (one access token
for all), APNs over one HTTP/2 connection (h2c). The stand-ins verify every request (JWT
signatures included), so the figures are an upper bound on our side's cost, not the providers'.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from api.nudges.providers import (
    ApnsKey,
    ApnsPushProvider,
    FcmPushProvider,
    PushDevice,
    PushMessage,
    ServiceAccount,
)
from tests.push_standins import Apns, Fcm

MESSAGE = PushMessage(
    title="Je mag meedoen!",
    body="Hoi Amina, goed nieuws: je mag meedoen met Koken in De Meevaart.",
    data={"kind": "match_approved", "nudgeId": "n", "targetType": "match", "targetId": "m"},
    collapse_id="0b7e8f4e-7f57-4c0b-9a43-3f3c1c7e9d10",
    thread_id="match:m",
    ttl_seconds=259200,
)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    fcm, apns = Fcm(), Apns()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fcm_provider = FcmPushProvider(
            ServiceAccount.from_file(fcm.credentials_file(folder)), base_url=fcm.base_url
        )
        key = ApnsKey.from_file(
            apns.key_file(folder), key_id=apns.key_id, team_id=apns.team_id, topic=apns.topic
        )
        apns_provider = ApnsPushProvider(key, base_url=apns.base_url)
        for name, provider, platform in (
            ("FCM v1 (HTTP/1.1)", fcm_provider, "android"),
            ("APNs (HTTP/2)", apns_provider, "ios"),
        ):
            provider.send([PushDevice(f"{'a' * 63}0", platform)], MESSAGE)  # token, connection
            t0 = time.perf_counter()
            for i in range(count):
                out = provider.send([PushDevice(f"{'a' * 58}{i:06d}", platform)], MESSAGE)
                assert out.delivered, out.errors
            took = time.perf_counter() - t0
            print(f"{name:18s} {count} messages in {took:5.2f} s = {count / took:6.0f} msg/s")
    fcm.close()
    apns.close()


if __name__ == "__main__":
    main()
