"""Configuration from environment variables, with safe development defaults."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

MIN_SECRET_LENGTH = 32
# Outside git (instance/ is ignored); one random key per installation when JWT_SECRET_KEY is unset.
DEFAULT_SECRET_FILE = Path(__file__).resolve().parent.parent / "instance" / "jwt-secret"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/meedoen"


def sqlalchemy_url(url: str) -> str:
    """Accept the usual postgresql:// form and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class ConfigError(RuntimeError):
    """The environment would make the service unsafe or unable to run."""


def installation_secret(path: Path) -> str:
    """Read this installation's signing key, creating it once (mode 600, atomically) if missing."""
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    try:
        _create_secret(path)
    except OSError as exc:
        raise ConfigError(
            f"Cannot create the signing key file {path} ({exc.strerror}); "
            "set JWT_SECRET_KEY or JWT_SECRET_FILE"
        ) from None
    return _read_secret(path)


def _create_secret(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):  # the first process to link wins
            os.link(tmp, path)  # never a half-written key, unlike writing to path directly
    finally:
        tmp.unlink(missing_ok=True)


def _read_secret(path: Path) -> str:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ConfigError(f"Cannot read the signing key file {path}: {exc.strerror}") from None
    with os.fdopen(fd) as f:
        mode = os.fstat(f.fileno()).st_mode
        if not stat.S_ISREG(mode) or mode & 0o077:
            raise ConfigError(f"{path} must be a regular file readable by its owner only (600)")
        secret = f.read().strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{path} holds no usable key; delete it to create a new one")
    return secret


@dataclass(frozen=True)
class Settings:
    """Settings read once at start-up."""

    env: str
    database_url: str
    jwt_secret_key: str
    host: str
    port: int
    geocoder: str
    pdok_url: str | None
    redis_url: str | None
    db_pool_size: int
    db_pool_timeout: float
    push_provider: str
    push_webhook_url: str | None
    push_settings: dict[str, str]  # FCM_* and APNS_* variables (paths and ids, never logged)
    rate_limits_enabled: bool
    rate_limit_prefix: str
    proxy_count: int
    cors_origins: tuple[str, ...]
    dispatch_workers: int = 2  # dispatcher threads draining the outbox side by side

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read the environment; refuse a production start without a strong explicit secret."""
        e = os.environ if environ is None else environ
        env = e.get("MEEDOEN_ENV", "development")
        secret = e.get("JWT_SECRET_KEY") or ""
        if env == "production":
            if len(secret) < MIN_SECRET_LENGTH:
                raise ConfigError("JWT_SECRET_KEY must be set to a random value of 32+ characters")
        elif not secret:
            secret = installation_secret(Path(e.get("JWT_SECRET_FILE") or DEFAULT_SECRET_FILE))
        elif len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError("JWT_SECRET_KEY is too short: use a random value of 32+ characters")
        settings = cls(
            env=env,
            database_url=sqlalchemy_url(e.get("DATABASE_URL", DEFAULT_DATABASE_URL)),
            jwt_secret_key=secret,
            host=e.get("HOST", "127.0.0.1"),
            port=int(e.get("PORT", "5000")),
            geocoder=e.get("GEOCODER", "offline"),
            pdok_url=e.get("PDOK_URL") or None,
            redis_url=e.get("REDIS_URL") or None,
            db_pool_size=int(e.get("DB_POOL_SIZE", "10")),
            db_pool_timeout=float(e.get("DB_POOL_TIMEOUT", "2")),
            push_provider=e.get("PUSH_PROVIDER", "log"),
            push_webhook_url=e.get("PUSH_WEBHOOK_URL") or None,
            push_settings={k: v for k, v in e.items() if k.startswith(("FCM_", "APNS_"))},
            rate_limits_enabled=e.get("RATE_LIMITS", "on").lower() not in ("off", "0", "false"),
            rate_limit_prefix=e.get("RATE_LIMIT_PREFIX", "meedoen"),
            proxy_count=int(e.get("PROXY_COUNT", "0")),
            cors_origins=tuple(o for o in e.get("CORS_ORIGINS", "").split(",") if o.strip()),
            dispatch_workers=max(1, int(e.get("DISPATCH_WORKERS", "2"))),
        )
        return settings

    def flask_config(self) -> dict[str, object]:
        """Translate settings into Flask and extension configuration keys."""
        return {
            "MEEDOEN_SETTINGS": self,
            "SECRET_KEY": self.jwt_secret_key,
            "DISPATCH_WORKERS": self.dispatch_workers,
            "MAX_CONTENT_LENGTH": 64 * 1024,
            "API_TITLE": "Meedoen API",
            "API_VERSION": API_VERSION,
            "OPENAPI_VERSION": "3.0.3",
            "JWT_SECRET_KEY": self.jwt_secret_key,
            "JWT_ALGORITHM": "HS256",
            "JWT_DECODE_ALGORITHMS": ["HS256"],
            "JWT_ENCODE_ISSUER": JWT_ISSUER,
            "JWT_DECODE_ISSUER": JWT_ISSUER,
            "JWT_ENCODE_AUDIENCE": JWT_AUDIENCE,
            "JWT_DECODE_AUDIENCE": JWT_AUDIENCE,
            "JWT_TOKEN_LOCATION": ["headers"],
            "JWT_ACCESS_TOKEN_EXPIRES": ACCESS_TOKEN_TTL,
            "JWT_REFRESH_TOKEN_EXPIRES": REFRESH_TOKEN_TTL,
            "JWT_ERROR_MESSAGE_KEY": "detail",
            "PROPAGATE_EXCEPTIONS": False,
        }


API_VERSION = "1.0.0"
JWT_ISSUER = "meedoen"
JWT_AUDIENCE = "meedoen-app"
ACCESS_TOKEN_TTL = timedelta(minutes=15)
REFRESH_TOKEN_TTL = timedelta(days=30)
INVITATION_TTL = timedelta(days=14)
# A password-reset code is made at the coach's desk and used at home the same day or soon after.
RESET_CODE_TTL = timedelta(days=3)
