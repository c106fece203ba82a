"""Configuration classes, one per environment. Chosen by PORTAL_ENV (default: development)."""
from config.default import DefaultConfig
from config.production import ProductionConfig
from config.testing import TestingConfig

CONFIGS = {"development": DefaultConfig, "production": ProductionConfig, "testing": TestingConfig}


def config_for(name: str | None):
    return CONFIGS[name or "development"]
