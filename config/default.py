import os
from datetime import timedelta


class DefaultConfig:
    """Development / demo defaults: SQLite in instance/, no SMTP (mail is kept in the outbox)."""

    ENV_NAME = "development"
    SECRET_KEY = None  # generated into instance/secret_key on first start when unset
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None -> instance/portal.db
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # A sign-in lasts at most SESSION_MAX_AGE_HOURS and ends after SESSION_IDLE_MINUTES without a request
    # (checked on the server against the session's row, for customers and staff alike).
    SESSION_MAX_AGE_HOURS = float(os.environ.get("SESSION_MAX_AGE_HOURS", "12"))
    SESSION_IDLE_MINUTES = float(os.environ.get("SESSION_IDLE_MINUTES", "60"))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_MAX_AGE_HOURS)
    # The cookie is written when the session changes, not re-signed on every page: it lasts the sign-in's
    # absolute lifetime, and the idle timeout is kept on the server.
    SESSION_REFRESH_EACH_REQUEST = False
    # Strict-Transport-Security max-age in production (seconds); 0 leaves the header out.
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", str(365 * 24 * 3600)))
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    UPLOAD_DIR = None  # default: instance/uploads
    # Mail: leave MAIL_SERVER unset to keep messages in the outbox only (demo mode).
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "portal@localhost")
    # Deliver a few of a request's emails right after its response; the worker sends the rest and retries.
    OUTBOX_DELIVER_AFTER_REQUEST = True
    OUTBOX_AFTER_REQUEST_LIMIT = int(os.environ.get("OUTBOX_AFTER_REQUEST_LIMIT", "5"))
    OUTBOX_AFTER_REQUEST_SECONDS = float(os.environ.get("OUTBOX_AFTER_REQUEST_SECONDS", "10"))
    # The delivery worker: SMTP socket timeout, how long a claim on an email lasts (at least 10 timeouts),
    # how long a failing email is retried and the longest wait between two tries.
    OUTBOX_SMTP_TIMEOUT = float(os.environ.get("OUTBOX_SMTP_TIMEOUT", "30"))
    OUTBOX_CLAIM_SECONDS = float(os.environ.get("OUTBOX_CLAIM_SECONDS", "300"))
    OUTBOX_RETRY_HOURS = float(os.environ.get("OUTBOX_RETRY_HOURS", "72"))
    OUTBOX_RETRY_MAX_INTERVAL_MINUTES = float(os.environ.get("OUTBOX_RETRY_MAX_INTERVAL_MINUTES", "60"))
    # Database: seconds to connect, and that a statement may run (PostgreSQL) or wait for a lock (SQLite).
    DATABASE_CONNECT_TIMEOUT = float(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    DATABASE_STATEMENT_TIMEOUT = float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "10"))
    # Pay Now by card (Stripe Checkout): the secret API key and the webhook endpoint's signing secret
    # (never logged); STRIPE_API_BASE points the library at another API address (tests: a local fake).
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    FLASK_ADMIN_SWATCH = "cerulean"
    PREFERRED_URL_SCHEME = "http"
    FEATURE_ENTRY_POINTS = True
    # Host names this portal answers to (comma-separated in PORTAL_TRUSTED_HOSTS). A request for
    # any other Host header gets 400, so a forged Host can never leak into emailed links.
    # The portal's own address, e.g. https://portal.example.com (PORTAL_BASE_URL): emailed links start with
    # it. The back office's Domain setting overrides it. Production needs it or PORTAL_TRUSTED_HOSTS.
    PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "").strip() or None
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("PORTAL_TRUSTED_HOSTS", "").split(",") if h.strip()] or None
    # Reverse proxies in front of the app (PORTAL_TRUSTED_PROXIES). With N > 0 the client address (rate
    # limits, audit) and the scheme come from the last N X-Forwarded-For / -Proto entries; with 0 these
    # headers are ignored, so a client cannot forge its address.
    TRUSTED_PROXIES = os.environ.get("PORTAL_TRUSTED_PROXIES", "0")
