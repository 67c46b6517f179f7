"""Push providers: a webhook gateway in production, a log line in development."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any, Protocol

log = logging.getLogger(__name__)


class PushError(RuntimeError):
    """The gateway did not take the message; try again later."""


class PushProvider(Protocol):
    def send(self, *, tokens: list[str], title: str, body: str, data: dict[str, Any]) -> None: ...


class LogPushProvider:
    """Development: write what would be pushed (no personal text at info level)."""

    def send(self, *, tokens: list[str], title: str, body: str, data: dict[str, Any]) -> None:
        log.info("push (log provider): %d device(s), kind=%s", len(tokens), data.get("kind"))


class WebhookPushProvider:
    """POSTs JSON to the configured push gateway; anything but 2xx is a PushError."""

    def __init__(self, url: str, *, timeout: float = 3.0) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, *, tokens: list[str], title: str, body: str, data: dict[str, Any]) -> None:
        payload = json.dumps({"tokens": tokens, "title": title, "body": body, "data": data})
        request = urllib.request.Request(  # noqa: S310 - URL is operator configuration
            self.url,
            data=payload.encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310
                if not 200 <= resp.status < 300:
                    raise PushError(f"gateway answered {resp.status}")
        except urllib.error.HTTPError as exc:
            raise PushError(f"gateway answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise PushError(f"gateway unreachable: {exc.__class__.__name__}") from exc


def build_push_provider(name: str, url: str | None) -> PushProvider:
    """From configuration: 'log' (default) or 'webhook' with PUSH_WEBHOOK_URL."""
    if name == "webhook":
        if not url:
            raise ValueError("PUSH_WEBHOOK_URL is required for the webhook push provider")
        return WebhookPushProvider(url)
    return LogPushProvider()
