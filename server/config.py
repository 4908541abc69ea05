"""Configuration classes that read the environment. Tests pass overrides as a dict."""

from __future__ import annotations

import os
import secrets
import tempfile
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


def _vapid_private_key(instance: Path) -> str | None:
    """VAPID_PRIVATE_KEY from the environment, else the one `waitroom vapid-keys` kept in
    var/ (`make run` makes it), else none: no Web Push."""
    if key := os.environ.get("VAPID_PRIVATE_KEY"):
        return key
    path = instance / "vapid_private_key"
    return path.read_text().strip() if path.exists() else None


class Config:
    VAR_DIR = Path(os.environ.get("WAITROOM_VAR", "var")).resolve()
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'waitroom.db'}")
    # Floor pictures uploaded in the admin console (with several processes: a shared disk).
    FLOOR_PLANS_DIR = Path(os.environ.get("FLOOR_PLANS_DIR", VAR_DIR / "plans")).resolve()
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
    # Text messages: one Apprise URL (README "Notifications"); unset, no texts are offered.
    SMS_URL = os.environ.get("SMS_URL")
    # Web Push (README "Notifications"): the VAPID key pair that signs each push, and
    # the contact a push service may write to (mailto: or https:). Without a private
    # key, "Notify me on this phone" is not offered. The public key is the private
    # key's unless given.
    VAPID_PRIVATE_KEY = _vapid_private_key(VAR_DIR)
    VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY")
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:waitroom@localhost")
    # More push service hosts a subscription's endpoint may name, comma-separated,
    # beside the major browsers' (domain/notify.PUSH_SERVICES).
    PUSH_SERVICE_HOSTS = [h for h in os.environ.get("PUSH_SERVICE_HOSTS", "").split(",") if h]
    # Replies to texts: Twilio's auth token, to check the signature of its incoming-message
    # webhook (POST /api/sites/<site>/texts/inbound); unset, replies are not taken.
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN")
    # The same from a hospital's own SMS gateway, as JSON: the secret it sends as
    # "Authorization: Bearer ..." (POST /api/sites/<site>/texts/inbound/json).
    SMS_INBOUND_TOKEN = os.environ.get("SMS_INBOUND_TOKEN")
    # Seconds between two looks at the outbox when it is empty (server/notify/sender.py).
    OUTBOX_POLL_SECONDS = float(os.environ.get("OUTBOX_POLL_SECONDS", "1"))
    MAX_CONTENT_LENGTH = 256 * 1024  # the biggest body is an appointments CSV
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=int(os.environ.get("STAFF_IDLE_MINUTES", "30")))
    SESSION_REFRESH_EACH_REQUEST = True  # the lifetime is an idle timeout
    # Where staff sessions are kept (storage/session_store.py): "database", or a Redis
    # URL; with Redis (several processes) they live there unless another store is named.
    STAFF_SESSION_STORE = (
        os.environ.get("STAFF_SESSION_STORE") or os.environ.get("REDIS_URL") or "database"
    )
    # Guess budgets and rate limits must be counted once for all processes: with Redis
    # (several processes) they live there unless another store is named.
    RATELIMIT_STORAGE_URI = (
        os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    )
    RATELIMIT_KEY_PREFIX = REDIS_PREFIX
    RATELIMIT_HEADERS_ENABLED = True
    CHECKIN_RATE_LIMIT = os.environ.get("CHECKIN_RATE_LIMIT", "20 per minute")  # walk-ins
    # Joining from home and "I'm here", per address: a phone, not a kiosk, sends them.
    REMOTE_JOIN_RATE_LIMIT = os.environ.get("REMOTE_JOIN_RATE_LIMIT", "5 per 10 minutes")
    # Tests of a whole server process only (tests/e2e): the server's time is the
    # system's plus the seconds written in this file (server/clock.py). Never set it.
    CLOCK_OFFSET_FILE = os.environ.get("WAITROOM_CLOCK_OFFSET_FILE") or None
    # Guess budgets (server/guesses.py): wrong passwords and appointments not found,
    # each counted across every route that tests them, per address and per account.
    PASSWORD_GUESSES_PER_ADDRESS = os.environ.get("PASSWORD_GUESSES_PER_ADDRESS", "20 per minute")
    PASSWORD_GUESSES_PER_ACCOUNT = os.environ.get("PASSWORD_GUESSES_PER_ACCOUNT", "100 per day")
    # After this many wrong passwords in a row for one username, each further try waits
    # 1, 2, 4, ... seconds, up to the cap, until the right password starts it over.
    PASSWORD_DELAY_AFTER = int(os.environ.get("PASSWORD_DELAY_AFTER", "5"))
    PASSWORD_DELAY_MAX_SECONDS = int(os.environ.get("PASSWORD_DELAY_MAX_SECONDS", "900"))
    APPOINTMENT_GUESSES_PER_ADDRESS = os.environ.get(
        "APPOINTMENT_GUESSES_PER_ADDRESS", "40 per minute"
    )
    APPOINTMENT_GUESSES_PER_SITE = os.environ.get("APPOINTMENT_GUESSES_PER_SITE", "400 per hour")
    # The kiosk's "I joined online": numbers typed that find no remote ticket to mark
    # arrived (not found, not remote, already here, ended), per address and per site.
    ARRIVAL_GUESSES_PER_ADDRESS = os.environ.get("ARRIVAL_GUESSES_PER_ADDRESS", "10 per minute")
    ARRIVAL_GUESSES_PER_SITE = os.environ.get("ARRIVAL_GUESSES_PER_SITE", "100 per hour")
    # A kiosk or display opened without ?device= shows a code to pair it with a device
    # at /admin/devices (services/pairing.py); "0" keeps the old way (?device= or none).
    SCREEN_PAIRING = os.environ.get("SCREEN_PAIRING", "1") == "1"
    # Wrong pairing codes, per address and per site; wrong second-factor codes per
    # address (the password budget's) and per account.
    PAIRING_GUESSES_PER_ADDRESS = os.environ.get("PAIRING_GUESSES_PER_ADDRESS", "10 per minute")
    PAIRING_GUESSES_PER_SITE = os.environ.get("PAIRING_GUESSES_PER_SITE", "30 per hour")
    # A waiting screen asks whether it is paired every 2 s at first, then every 6 s.
    PAIRING_POLLS_PER_SCREEN = os.environ.get("PAIRING_POLLS_PER_SCREEN", "20 per minute")
    PAIRING_POLLS_PER_ADDRESS = os.environ.get("PAIRING_POLLS_PER_ADDRESS", "300 per minute")
    CODE_GUESSES_PER_ACCOUNT = os.environ.get("CODE_GUESSES_PER_ACCOUNT", "10 per hour")
    # Replies to patients' feedback (services/reply_mail.py): SMTP_URL
    # (smtp://user:password@host:port, ?starttls, or smtps://) or SMTP_HOST and SMTP_PORT.
    SMTP_URL = os.environ.get("SMTP_URL")
    SMTP_HOST = os.environ.get("SMTP_HOST")
    SMTP_PORT = os.environ.get("SMTP_PORT")
    SMTP_FROM = os.environ.get("SMTP_FROM")
    # "Tell us about your visit" at the kiosk, per address.
    FEEDBACK_RATE_LIMIT = os.environ.get("FEEDBACK_RATE_LIMIT", "5 per 10 minutes")
    # Same-origin only by default; list extra origins (e.g. a proxy's) comma-separated.
    SOCKETIO_ORIGINS = [o for o in os.environ.get("SOCKETIO_ORIGINS", "").split(",") if o]

    # Hospital sign-in with OpenID Connect (desk/sso.py, README "Hospital sign-in"): on
    # when an issuer is set; its /.well-known/openid-configuration names the rest.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET")
    OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "hospital account")
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile email")
    OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
    # The ID token claim an account made at first sign-in is named after (then email, sub).
    OIDC_USERNAME_CLAIM = os.environ.get("OIDC_USERNAME_CLAIM", "preferred_username")
    # JSON: which sites and role each of the provider's groups gives,
    # {"group": [["site", "staff" or "admin"], ...]} (domain/sso.py).
    OIDC_ROLE_MAP = os.environ.get("OIDC_ROLE_MAP", "{}")
    # "off": staff sign in only through the provider; password logins are refused.
    LOCAL_PASSWORDS = os.environ.get("LOCAL_PASSWORDS", "on") != "off"

    @classmethod
    def secret_key(cls) -> str:
        return _secret_key(cls.VAR_DIR)


class TestConfig(Config):
    TESTING = True
    SCREEN_PAIRING = False  # the tests of pairing turn it on
    SECRET_KEY = "test-only-key-not-for-production"  # noqa: S105  (tests only)
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    FLOOR_PLANS_DIR = Path(tempfile.gettempdir()) / "waitroom-test-plans"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    REDIS_URL = None
    STAFF_SESSION_STORE = "database"
    PROXY_HOPS = 0
    ASYNC_MODE = "threading"
    # Transport tests see exactly one message per change; the estimate tests set
    # "inline" to have the refresh follow each change as the server does.
    ESTIMATE_REFRESH = "off"
    RATELIMIT_ENABLED = False
    SMS_URL = None
    VAPID_PRIVATE_KEY = None
    VAPID_PUBLIC_KEY = None
    TWILIO_AUTH_TOKEN = None
    SMS_INBOUND_TOKEN = None
