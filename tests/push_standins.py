"""Local stand-ins for FCM HTTP v1 (with Google's OAuth token endpoint) and APNs (HTTP/2).

Each checks a request the way the provider documents it (headers, auth, JSON) and answers as
the provider does, including invalid tokens and answers to retry. Nothing leaves localhost.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import h2.config
import h2.connection
import h2.events
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _pem(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@dataclass
class Fcm:
    """FCM HTTP v1 and the OAuth 2.0 token endpoint on one local HTTP server."""

    project_id: str = "meedoen-test"
    client_email: str = "push@meedoen-test.iam.gserviceaccount.com"
    key_id: str = "key-1"
    fail_first: int = 0  # answer 503 (Retry-After: 0) to the first n sends
    unregistered: set[str] = field(default_factory=set)
    invalid: set[str] = field(default_factory=set)
    sends: list[dict[str, Any]] = field(default_factory=list)  # every send request, checked
    accepted: list[dict[str, Any]] = field(default_factory=list)  # the messages taken
    problems: list[str] = field(default_factory=list)
    tokens_issued: list[str] = field(default_factory=list)
    token_requests: int = 0
    revoke_next: bool = False  # answer 401 to the next send (an access token gone stale)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = _pem(self.key)
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once, like a real server

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/token":
                    status, body = standin._token(self.headers, raw)
                else:
                    status, body, headers = standin._send(self.path, self.headers, raw)
                    payload = json.dumps(body).encode()
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.token_url = f"{self.base_url}/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def credentials_file(self, folder: Path) -> Path:
        """A service-account key file as the Firebase console gives it."""
        path = folder / "service-account.json"
        path.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": self.project_id,
                    "private_key_id": self.key_id,
                    "private_key": self.private_pem,
                    "client_email": self.client_email,
                    "client_id": "1234567890",
                    "token_uri": self.token_url,
                }
            )
        )
        return path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _token(self, headers: Any, raw: bytes) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.token_requests += 1
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        if not headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            self.problems.append("token request is not a form")
        if form.get("grant_type") != JWT_BEARER:
            self.problems.append(f"grant_type {form.get('grant_type')}")
            return 400, {"error": "unsupported_grant_type"}
        try:
            claims = jwt.decode(
                form.get("assertion", ""),
                self.key.public_key(),
                algorithms=["RS256"],
                audience=self.token_url,
                issuer=self.client_email,
                options={"require": ["iss", "aud", "iat", "exp"]},
            )
            header = jwt.get_unverified_header(form["assertion"])
        except jwt.PyJWTError as exc:
            self.problems.append(f"assertion refused: {exc}")
            return 400, {"error": "invalid_grant"}
        if claims.get("scope") != FCM_SCOPE:
            self.problems.append(f"scope {claims.get('scope')}")
        if header.get("kid") != self.key_id or header.get("alg") != "RS256":
            self.problems.append(f"assertion header {header}")
        if claims["exp"] - claims["iat"] > 3600:
            self.problems.append("assertion lives longer than an hour")
        token = "ya29." + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens_issued.append(token)
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _send(
        self, path: str, headers: Any, raw: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if path != f"/v1/projects/{self.project_id}/messages:send":
            self.problems.append(f"path {path}")
            return 404, {"error": {"code": 404, "status": "NOT_FOUND"}}, {}
        auth = headers.get("Authorization", "")
        with self.lock:
            revoke, self.revoke_next = self.revoke_next, False
            known = auth.removeprefix("Bearer ") in self.tokens_issued[-1:]
        if not auth.startswith("Bearer ") or not known or revoke:
            return 401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}}, {}
        if not headers.get("Content-Type", "").startswith("application/json"):
            self.problems.append("send is not JSON")
        body = json.loads(raw)
        with self.lock:
            self.sends.append(body)
            n = len(self.sends)
        msg = body.get("message", {})
        self._check(msg)
        token = msg.get("token", "")
        if n <= self.fail_first:
            error = {"code": 503, "status": "UNAVAILABLE", "message": "try later"}
            return 503, {"error": error}, {"Retry-After": "0"}
        if token in self.unregistered:
            return (
                404,
                {
                    "error": {
                        "code": 404,
                        "message": "Requested entity was not found.",
                        "status": "NOT_FOUND",
                        "details": [
                            {
                                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                                "errorCode": "UNREGISTERED",
                            }
                        ],
                    }
                },
                {},
            )
        if token in self.invalid:
            return (
                400,
                {
                    "error": {
                        "code": 400,
                        "message": "The registration token is not a valid FCM registration token",
                        "status": "INVALID_ARGUMENT",
                        "details": [
                            {
                                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                                "errorCode": "INVALID_ARGUMENT",
                            },
                            {
                                "@type": "type.googleapis.com/google.rpc.BadRequest",
                                "fieldViolations": [
                                    {"field": "message.token", "description": "Invalid token"}
                                ],
                            },
                        ],
                    }
                },
                {},
            )
        with self.lock:
            self.accepted.append(msg)
        return 200, {"name": f"projects/{self.project_id}/messages/{secrets.token_hex(8)}"}, {}

    def _check(self, msg: dict[str, Any]) -> None:
        """The v1 message resource: token, notification, string-only data, android options."""
        if not isinstance(msg.get("token"), str):
            self.problems.append("message.token missing")
        note = msg.get("notification", {})
        if not (isinstance(note.get("title"), str) and isinstance(note.get("body"), str)):
            self.problems.append("notification title/body missing")
        data = msg.get("data", {})
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            self.problems.append("data values must be strings")
        android = msg.get("android", {})
        if not re.fullmatch(r"\d+(\.\d+)?s", str(android.get("ttl", ""))):
            self.problems.append(f"android.ttl {android.get('ttl')}")
        if not android.get("collapse_key"):
            self.problems.append("android.collapse_key missing")
        known = {"token", "notification", "data", "android", "apns", "webpush", "fcm_options"}
        if set(msg) - known:
            self.problems.append(f"unknown message fields {set(msg) - known}")


@dataclass
class Apns:
    """APNs over HTTP/2 (h2c, prior knowledge) on localhost, with token-based auth."""

    team_id: str = "TEAM123456"
    key_id: str = "KEY1234567"
    topic: str = "org.meedoen.app"
    fail_first: int = 0  # answer 503 to the first n requests
    gone: set[str] = field(default_factory=set)  # 410 Unregistered
    bad: set[str] = field(default_factory=set)  # 400 BadDeviceToken
    requests: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    provider_tokens: set[str] = field(default_factory=set)
    expire_tokens_before: float = 0.0  # provider tokens issued before this are ExpiredProviderToken

    def __post_init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.private_pem = _pem(self.key)
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.base_url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def key_file(self, folder: Path) -> Path:
        path = folder / f"AuthKey_{self.key_id}.p8"
        path.write_text(self.private_pem)
        return path

    def close(self) -> None:
        self.running = False
        self.sock.close()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        conn = h2.connection.H2Connection(config=config)
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())
        streams: dict[int, dict[str, Any]] = {}
        try:
            while True:
                data = sock.recv(65535)
                if not data:
                    return
                for event in conn.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        streams[event.stream_id] = {"headers": dict(event.headers), "body": b""}
                    elif isinstance(event, h2.events.DataReceived):
                        streams[event.stream_id]["body"] += event.data
                        conn.acknowledge_received_data(
                            event.flow_controlled_length, event.stream_id
                        )
                    elif isinstance(event, h2.events.StreamEnded):
                        req = streams.pop(event.stream_id)
                        status, body = self._answer(req["headers"], req["body"])
                        payload = json.dumps(body).encode() if body is not None else b""
                        headers = [(":status", str(status)), ("apns-id", secrets.token_hex(16))]
                        if payload:
                            headers += [
                                ("content-type", "application/json"),
                                ("content-length", str(len(payload))),
                            ]
                        conn.send_headers(event.stream_id, headers, end_stream=not payload)
                        if payload:
                            conn.send_data(event.stream_id, payload, end_stream=True)
                    elif isinstance(event, h2.events.ConnectionTerminated):
                        return
                sock.sendall(conn.data_to_send())
        except OSError:
            return
        finally:
            sock.close()

    def _answer(self, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any] | None]:
        with self.lock:
            self.requests.append({"headers": headers, "body": raw})
            n = len(self.requests)
        if headers.get(":method") != "POST":
            self.problems.append(f"method {headers.get(':method')}")
        match = re.fullmatch(r"/3/device/([0-9A-Za-z._-]+)", headers.get(":path", ""))
        if not match:
            self.problems.append(f"path {headers.get(':path')}")
            return 404, {"reason": "BadPath"}
        token = match.group(1)
        auth = headers.get("authorization", "")
        if not auth.startswith("bearer "):
            return 403, {"reason": "MissingProviderToken"}
        provider_token = auth.removeprefix("bearer ")
        try:
            claims = jwt.decode(
                provider_token,
                self.key.public_key(),
                algorithms=["ES256"],
                issuer=self.team_id,
                options={"require": ["iss", "iat"]},
            )
            header = jwt.get_unverified_header(provider_token)
        except jwt.PyJWTError:
            return 403, {"reason": "InvalidProviderToken"}
        if header.get("kid") != self.key_id or header.get("alg") != "ES256":
            return 403, {"reason": "InvalidProviderToken"}
        if claims["iat"] < self.expire_tokens_before:
            return 403, {"reason": "ExpiredProviderToken"}
        with self.lock:
            self.provider_tokens.add(provider_token)
        if headers.get("apns-topic") != self.topic:
            return 400, {"reason": "BadTopic"}
        if headers.get("apns-push-type") != "alert":
            self.problems.append(f"apns-push-type {headers.get('apns-push-type')}")
        if headers.get("apns-priority") not in ("5", "10"):
            self.problems.append(f"apns-priority {headers.get('apns-priority')}")
        expiration = headers.get("apns-expiration", "")
        if not expiration.isdigit() or int(expiration) < time.time():
            self.problems.append(f"apns-expiration {expiration}")
        collapse = headers.get("apns-collapse-id", "")
        if not collapse or len(collapse.encode()) > 64:
            self.problems.append(f"apns-collapse-id {collapse}")
        body = json.loads(raw)
        aps = body.get("aps", {})
        alert = aps.get("alert", {})
        if not (isinstance(alert.get("title"), str) and isinstance(alert.get("body"), str)):
            self.problems.append("aps.alert title/body missing")
        if not aps.get("thread-id"):
            self.problems.append("aps.thread-id missing")
        if len(raw) > 4096:
            return 413, {"reason": "PayloadTooLarge"}
        if n <= self.fail_first:
            return 503, {"reason": "ServiceUnavailable"}
        if token in self.gone:
            return 410, {"reason": "Unregistered", "timestamp": int(time.time() * 1000)}
        if token in self.bad:
            return 400, {"reason": "BadDeviceToken"}
        with self.lock:
            self.accepted.append({"token": token, "headers": headers, "body": body})
        return 200, None
