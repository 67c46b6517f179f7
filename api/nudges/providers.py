"""Push providers: FCM HTTP v1, APNs, a webhook gateway, or a log line in development.

Each provider sends one message to some devices and says, per device token, what happened:
delivered, invalid (the device is removed), to retry (429/5xx, with the provider's Retry-After)
or failed for good (dead-lettered). Credentials (service-account key, access tokens, the APNs
key and its provider tokens) are never logged and never part of an error text.

Libraries: httpx (with h2) for HTTP/1.1 and HTTP/2 with connection reuse, PyJWT with
cryptography for the RS256 service-account assertion (FCM) and the ES256 provider token (APNs).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import httpx
import jwt

log = logging.getLogger(__name__)
# hpack and h2 write every header they encode at DEBUG, the authorization header with its
# access or provider token too: they never log below WARNING here, whatever the root level.
for _chatty in ("hpack", "h2"):
    logging.getLogger(_chatty).setLevel(logging.WARNING)

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
FCM_BASE_URL = "https://fcm.googleapis.com"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address, not a secret
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
APNS_BASE_URL = "https://api.push.apple.com"
# Small frames (HTTP/2 HEADERS then DATA) go out at once instead of waiting on delayed ACKs.
NO_DELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
APNS_TOKEN_TTL = 50 * 60  # Apple wants a provider token younger than an hour, renewed >= 20 min


class PushError(RuntimeError):
    """The provider could not be asked (configuration, network); the text holds no secrets."""


@dataclass(frozen=True)
class PushDevice:
    token: str
    platform: str  # ios, android, web


@dataclass(frozen=True)
class PushMessage:
    """What goes to the phone: no more than the inbox shows, plus ids to open the right screen."""

    title: str
    body: str
    data: dict[str, str]
    collapse_id: str  # the same message twice shows once
    thread_id: str  # messages about one thing are grouped
    ttl_seconds: int  # after this the provider drops it instead of delivering it late


@dataclass
class PushOutcome:
    """Per token: delivered, invalid (remove the device), retry later, or failed for good."""

    delivered: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retry_after: float | None = None  # seconds the provider asked us to wait
    errors: list[str] = field(default_factory=list)  # short texts, no secrets

    def merge(self, other: PushOutcome) -> None:
        self.delivered += other.delivered
        self.invalid += other.invalid
        self.retry += other.retry
        self.failed += other.failed
        self.errors += other.errors
        if other.retry_after is not None:
            self.retry_after = max(self.retry_after or 0.0, other.retry_after)

    def retry_all(self, tokens: Sequence[str], error: str, after: float | None = None) -> None:
        self.retry += list(tokens)
        self.errors.append(error)
        if after is not None:
            self.retry_after = max(self.retry_after or 0.0, after)


class PushProvider(Protocol):
    def send(self, devices: Sequence[PushDevice], message: PushMessage) -> PushOutcome: ...


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """A Retry-After header: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, moment - (time.time() if now is None else now))


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


class LogPushProvider:
    """Development: write what would be pushed (no personal text at info level)."""

    def send(self, devices: Sequence[PushDevice], message: PushMessage) -> PushOutcome:
        log.info("push (log provider): %d device(s), kind=%s", len(devices), message.data["kind"])
        return PushOutcome(delivered=[d.token for d in devices])


class WebhookPushProvider:
    """POSTs JSON `{tokens, title, body, data}` to a push gateway; anything but 2xx is retried."""

    def __init__(self, url: str, *, timeout: float = 3.0) -> None:
        self.url = url
        self.client = httpx.Client(timeout=timeout)

    def __repr__(self) -> str:
        return "WebhookPushProvider()"

    def send(self, devices: Sequence[PushDevice], message: PushMessage) -> PushOutcome:
        tokens = [d.token for d in devices]
        payload = {
            "tokens": tokens,
            "title": message.title,
            "body": message.body,
            "data": message.data,
        }
        out = PushOutcome()
        try:
            resp = self.client.post(self.url, json=payload)
        except httpx.HTTPError as exc:
            out.retry_all(tokens, f"gateway unreachable: {exc.__class__.__name__}")
            return out
        if 200 <= resp.status_code < 300:
            out.delivered = tokens
        else:
            after = retry_after_seconds(resp.headers.get("retry-after"))
            out.retry_all(tokens, f"gateway answered {resp.status_code}", after)
        return out


@dataclass(frozen=True)
class ServiceAccount:
    """The parts of a Google service-account key file that FCM needs."""

    project_id: str
    client_email: str
    private_key: str = field(repr=False)
    private_key_id: str
    token_uri: str

    @classmethod
    def from_file(cls, path: str | Path, *, token_uri: str | None = None) -> ServiceAccount:
        try:
            info = json.loads(Path(path).read_text("utf-8"))
            return cls(
                project_id=info["project_id"],
                client_email=info["client_email"],
                private_key=info["private_key"],
                private_key_id=info.get("private_key_id", ""),
                token_uri=token_uri or info.get("token_uri") or GOOGLE_TOKEN_URL,
            )
        except (OSError, ValueError, KeyError) as exc:
            # The message names the file only: never its content.
            raise ValueError(f"FCM service-account file {path} is unreadable or incomplete") from (
                exc
            )


class _CachedToken:
    """An access or provider token, renewed by `make` when it is (nearly) expired."""

    def __init__(self, make: Callable[[], tuple[str, float]], clock: Callable[[], float]) -> None:
        self._make = make
        self._clock = clock
        self._lock = threading.Lock()
        self._value: str | None = None
        self._until = 0.0

    def get(self) -> str:
        with self._lock:
            if self._value is None or self._clock() >= self._until:
                self._value, lifetime = self._make()
                self._until = self._clock() + lifetime
            return self._value

    def forget(self) -> None:
        with self._lock:
            self._value = None

    def __repr__(self) -> str:
        return "<token hidden>"


class FcmPushProvider:
    """Firebase Cloud Messaging HTTP v1 with a service account (OAuth 2.0 JWT bearer grant).

    The account signs an RS256 assertion {iss, scope, aud = token_uri, iat, exp}, exchanges it
    at the token endpoint for an access token (kept until shortly before it expires), and
    POSTs one message per device token to /v1/projects/{project}/messages:send.
    """

    def __init__(
        self,
        account: ServiceAccount,
        *,
        base_url: str = FCM_BASE_URL,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.account = account
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        transport = transport or httpx.HTTPTransport(socket_options=NO_DELAY)
        self.client = httpx.Client(timeout=timeout, transport=transport)
        self.token = _CachedToken(self._exchange, clock)

    def __repr__(self) -> str:
        return f"FcmPushProvider(project={self.account.project_id!r})"

    def assertion(self) -> str:
        now = int(self.clock())
        claims = {
            "iss": self.account.client_email,
            "scope": FCM_SCOPE,
            "aud": self.account.token_uri,
            "iat": now,
            "exp": now + 3600,
        }
        headers = {"kid": self.account.private_key_id} if self.account.private_key_id else None
        return jwt.encode(claims, self.account.private_key, algorithm="RS256", headers=headers)

    def _exchange(self) -> tuple[str, float]:
        try:
            resp = self.client.post(
                self.account.token_uri,
                data={"grant_type": JWT_BEARER, "assertion": self.assertion()},
            )
        except httpx.HTTPError as exc:
            raise PushError(f"FCM token endpoint unreachable: {exc.__class__.__name__}") from None
        if resp.status_code != 200:
            raise PushError(f"FCM token endpoint answered {resp.status_code}")
        try:
            body = resp.json()
            token, lifetime = str(body["access_token"]), float(body.get("expires_in", 3600))
        except (ValueError, KeyError) as exc:
            raise PushError("FCM token endpoint gave no access token") from exc
        return token, max(0.0, lifetime - 60)

    def payload(self, token: str, message: PushMessage) -> dict[str, Any]:
        ttl = f"{message.ttl_seconds}s"
        return {
            "message": {
                "token": token,
                "notification": {"title": message.title, "body": message.body},
                "data": message.data,
                "android": {
                    "collapse_key": message.collapse_id,
                    "ttl": ttl,
                    "priority": "HIGH",
                    "notification": {"tag": message.thread_id},
                },
                "webpush": {"headers": {"TTL": str(message.ttl_seconds)}},
            }
        }

    def send(self, devices: Sequence[PushDevice], message: PushMessage) -> PushOutcome:
        out = PushOutcome()
        url = f"{self.base_url}/v1/projects/{quote(self.account.project_id)}/messages:send"
        for i, device in enumerate(devices):
            try:
                out.merge(self._send_one(url, device.token, message))
            except PushError as exc:
                out.retry_all([d.token for d in devices[i:]], str(exc))
                break
        return out

    def _send_one(self, url: str, token: str, message: PushMessage) -> PushOutcome:
        out = PushOutcome()
        for attempt in (1, 2):  # a second time only after a refused (expired) access token
            try:
                resp = self.client.post(
                    url,
                    json=self.payload(token, message),
                    headers={"Authorization": f"Bearer {self.token.get()}"},
                )
            except httpx.HTTPError as exc:
                out.retry_all([token], f"FCM unreachable: {exc.__class__.__name__}")
                return out
            if resp.status_code == 401 and attempt == 1:
                self.token.forget()
                continue
            break
        status = resp.status_code
        if status == 200:
            out.delivered.append(token)
            return out
        code, error_status, fields = _fcm_error(resp)
        if code == "UNREGISTERED" or (
            status == 400 and code == "INVALID_ARGUMENT" and "message.token" in fields
        ):
            out.invalid.append(token)
        elif code == "SENDER_ID_MISMATCH":
            out.invalid.append(token)  # a token of another Firebase project: never ours
        elif _retryable(status) or status == 401:
            out.retry_all(
                [token],
                f"FCM answered {status} {code or error_status}".strip(),
                retry_after_seconds(resp.headers.get("retry-after")),
            )
            return out
        else:
            out.failed.append(token)
        out.errors.append(f"FCM answered {status} {code or error_status}".strip())
        return out


def _fcm_error(resp: httpx.Response) -> tuple[str, str, set[str]]:
    """(FcmError errorCode, google.rpc status, field names) from an FCM error body."""
    try:
        error = resp.json().get("error", {})
    except ValueError:
        return "", "", set()
    code, fields = "", set()
    for detail in error.get("details", []) or []:
        kind = str(detail.get("@type", ""))
        if kind.endswith("google.firebase.fcm.v1.FcmError"):
            code = str(detail.get("errorCode", ""))
        if kind.endswith("google.rpc.BadRequest"):
            fields |= {str(v.get("field", "")) for v in detail.get("fieldViolations", [])}
    return code or str(error.get("status", "")), str(error.get("status", "")), fields


@dataclass(frozen=True)
class ApnsKey:
    """A token-based APNs signing key (.p8) and where it belongs."""

    key_id: str
    team_id: str
    topic: str  # the app's bundle id
    private_key: str = field(repr=False)

    @classmethod
    def from_file(cls, path: str | Path, *, key_id: str, team_id: str, topic: str) -> ApnsKey:
        try:
            pem = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ValueError(f"APNs key file {path} is unreadable") from exc
        return cls(key_id=key_id, team_id=team_id, topic=topic, private_key=pem)


class ApnsPushProvider:
    """Apple Push Notification service, token-based: an ES256 provider token over HTTP/2.

    POST /3/device/{token} with apns-topic, apns-push-type, apns-expiration, apns-priority and
    apns-collapse-id; the payload's aps carries the alert and the thread-id. A plain http://
    base URL speaks HTTP/2 with prior knowledge (h2c), for a local stand-in.
    """

    def __init__(
        self,
        key: ApnsKey,
        *,
        base_url: str = APNS_BASE_URL,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
        verify: str | bool = True,
    ) -> None:
        self.key = key
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        transport = httpx.HTTPTransport(
            http1=False, http2=True, verify=verify, socket_options=NO_DELAY
        )
        self.client = httpx.Client(timeout=timeout, transport=transport)
        self.token = _CachedToken(self._provider_token, clock)

    def __repr__(self) -> str:
        return f"ApnsPushProvider(topic={self.key.topic!r})"

    def _provider_token(self) -> tuple[str, float]:
        claims = {"iss": self.key.team_id, "iat": int(self.clock())}
        headers = {"kid": self.key.key_id}
        return jwt.encode(claims, self.key.private_key, "ES256", headers), APNS_TOKEN_TTL

    def headers(self, message: PushMessage) -> dict[str, str]:
        return {
            "authorization": f"bearer {self.token.get()}",
            "apns-topic": self.key.topic,
            "apns-push-type": "alert",
            "apns-priority": "10",
            "apns-expiration": str(int(self.clock()) + message.ttl_seconds),
            "apns-collapse-id": message.collapse_id[:64],
        }

    @staticmethod
    def payload(message: PushMessage) -> dict[str, Any]:
        return {
            "aps": {
                "alert": {"title": message.title, "body": message.body},
                "sound": "default",
                "thread-id": message.thread_id,
            },
            **message.data,
        }

    def send(self, devices: Sequence[PushDevice], message: PushMessage) -> PushOutcome:
        out = PushOutcome()
        for device in devices:
            out.merge(self._send_one(device.token, message))
        return out

    def _send_one(self, token: str, message: PushMessage) -> PushOutcome:
        out = PushOutcome()
        url = f"{self.base_url}/3/device/{quote(token, safe='')}"
        for attempt in (1, 2):  # a second time only after an expired provider token
            try:
                resp = self.client.post(
                    url, json=self.payload(message), headers=self.headers(message)
                )
            except httpx.HTTPError as exc:
                out.retry_all([token], f"APNs unreachable: {exc.__class__.__name__}")
                return out
            reason = _apns_reason(resp)
            if resp.status_code == 403 and reason == "ExpiredProviderToken" and attempt == 1:
                self.token.forget()
                continue
            break
        status = resp.status_code
        if status == 200:
            out.delivered.append(token)
            return out
        text = f"APNs answered {status} {reason}".strip()
        if status == 410 or reason in ("BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic"):
            out.invalid.append(token)
        elif _retryable(status) or status == 403:
            out.retry_all([token], text, retry_after_seconds(resp.headers.get("retry-after")))
            return out
        else:
            out.failed.append(token)
        out.errors.append(text)
        return out


def _apns_reason(resp: httpx.Response) -> str:
    try:
        return str(resp.json().get("reason", "")) if resp.content else ""
    except ValueError:
        return ""


class PlatformPushProvider:
    """Each device to the provider of its platform (e.g. iPhones to APNs, the rest to FCM)."""

    def __init__(self, by_platform: Mapping[str, PushProvider], fallback: PushProvider) -> None:
        self.by_platform = dict(by_platform)
        self.fallback = fallback

    def send(self, devices: Sequence[PushDevice], message: PushMessage) -> PushOutcome:
        groups: dict[int, tuple[PushProvider, list[PushDevice]]] = {}
        for device in devices:
            provider = self.by_platform.get(device.platform, self.fallback)
            groups.setdefault(id(provider), (provider, []))[1].append(device)
        out = PushOutcome()
        for provider, group in groups.values():
            out.merge(provider.send(group, message))
        return out


def build_push_provider(
    name: str, url: str | None, env: Mapping[str, str] | None = None
) -> PushProvider:
    """From configuration: 'log' (default), 'webhook', 'fcm', 'apns' or 'fcm,apns'.

    With both, iPhones go to APNs and the rest to FCM. See README (Push) for the variables.
    """
    env = env or {}
    names = [n.strip() for n in name.split(",") if n.strip()] or ["log"]
    built: dict[str, PushProvider] = {}
    for n in names:
        if n == "webhook":
            if not url:
                raise ValueError("PUSH_WEBHOOK_URL is required for the webhook push provider")
            built[n] = WebhookPushProvider(url)
        elif n == "fcm":
            if not env.get("FCM_CREDENTIALS_FILE"):
                raise ValueError("FCM_CREDENTIALS_FILE is required for the fcm push provider")
            account = ServiceAccount.from_file(
                env["FCM_CREDENTIALS_FILE"], token_uri=env.get("FCM_TOKEN_URL") or None
            )
            if env.get("FCM_PROJECT_ID"):
                account = ServiceAccount(
                    env["FCM_PROJECT_ID"],
                    account.client_email,
                    account.private_key,
                    account.private_key_id,
                    account.token_uri,
                )
            built[n] = FcmPushProvider(account, base_url=env.get("FCM_BASE_URL") or FCM_BASE_URL)
        elif n == "apns":
            missing = [
                v
                for v in ("APNS_KEY_FILE", "APNS_KEY_ID", "APNS_TEAM_ID", "APNS_TOPIC")
                if not env.get(v)
            ]
            if missing:
                raise ValueError(f"{', '.join(missing)} required for the apns push provider")
            key = ApnsKey.from_file(
                env["APNS_KEY_FILE"],
                key_id=env["APNS_KEY_ID"],
                team_id=env["APNS_TEAM_ID"],
                topic=env["APNS_TOPIC"],
            )
            built[n] = ApnsPushProvider(
                key,
                base_url=env.get("APNS_BASE_URL") or APNS_BASE_URL,
                verify=env.get("APNS_CA_FILE") or True,
            )
        else:
            built[n] = LogPushProvider()
    if len(built) == 1:
        return next(iter(built.values()))
    ios = built.get("apns")
    rest = built.get("fcm") or built.get("webhook") or next(iter(built.values()))
    return PlatformPushProvider({"ios": ios} if ios else {}, rest)
