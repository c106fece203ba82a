from config.default import DefaultConfig


class TestingConfig(DefaultConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    WTF_CSRF_ENABLED = True
    MAIL_SERVER = None
    OUTBOX_DELIVER_AFTER_REQUEST = False
    SERVER_NAME = None
    # Tests move the clock by days and years (portal.services.clock) while signed in: sessions last that
    # long here. tests/test_security_policy.py sets the production limits to test them.
    SESSION_MAX_AGE_HOURS = 24 * 365 * 20
    SESSION_IDLE_MINUTES = 60 * 24 * 365 * 20
    # New passwords get a cheap hash: the suite signs in thousands of times (scrypt costs ~0.1 s each).
    # Checking is the same code path, reading the method from the stored hash; production keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
