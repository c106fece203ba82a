from config.default import DefaultConfig


class TestingConfig(DefaultConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    WTF_CSRF_ENABLED = True
    MAIL_SERVER = None
    OUTBOX_DELIVER_AFTER_REQUEST = False
    SERVER_NAME = None
