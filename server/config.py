"""Configuration classes that read the environment. Tests pass overrides as a dict."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/.

    There is no built-in default: a known key would let anyone forge a staff session.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


class Config:
    VAR_DIR = Path(os.environ.get("WAITROOM_VAR", "var")).resolve()
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'waitroom.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")  # Socket.IO message queue for several processes
    # Names everything one deployment keeps in Redis (the Socket.IO channel, locks,
    # presence, rate limits), so two deployments, or two test runs, can share a server.
    REDIS_PREFIX = os.environ.get("REDIS_PREFIX", "waitroom")
    # How many proxies (e.g. nginx) stand in front and set X-Forwarded-For; behind one,
    # set 1, or every client would share the proxy's address and its rate limits.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    ASYNC_MODE = os.environ.get("WAITROOM_ASYNC", "gevent")
    # "background": estimates are refreshed after each change, off its request
    # (services/refresher.py); "inline": at once, in the request, for tests;
    # "off": only on the slow tick.
    ESTIMATE_REFRESH = os.environ.get("ESTIMATE_REFRESH", "background")
    # The address phones on the clinic network use to reach us (for the QR code link);
    # a site file's public_url takes precedence.
    PUBLIC_URL = os.environ.get("PUBLIC_URL")
    MAX_CONTENT_LENGTH = 256 * 1024  # the biggest body is an appointments CSV
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=int(os.environ.get("STAFF_IDLE_MINUTES", "30")))
    SESSION_REFRESH_EACH_REQUEST = True  # the lifetime is an idle timeout
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = REDIS_PREFIX
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    CHECKIN_RATE_LIMIT = os.environ.get("CHECKIN_RATE_LIMIT", "20 per minute")
    # Same-origin only by default; list extra origins (e.g. a proxy's) comma-separated.
    SOCKETIO_ORIGINS = [o for o in os.environ.get("SOCKETIO_ORIGINS", "").split(",") if o]

    @classmethod
    def secret_key(cls) -> str:
        return _secret_key(cls.VAR_DIR)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-key-not-for-production"  # noqa: S105  (tests only)
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    REDIS_URL = None
    PROXY_HOPS = 0
    ASYNC_MODE = "threading"
    # Transport tests see exactly one message per change; the estimate tests set
    # "inline" to have the refresh follow each change as the server does.
    ESTIMATE_REFRESH = "off"
    RATELIMIT_ENABLED = False
