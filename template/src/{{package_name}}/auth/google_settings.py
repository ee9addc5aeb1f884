"""Google sign-in's settings; part of Settings (environment variables of the same names)."""

import ipaddress
from typing import Self
from urllib.parse import urlsplit

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings

GOOGLE_DISCOVERY_URL = "https://accounts.google.com/.well-known/openid-configuration"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class GoogleSettings(BaseSettings):
    # The OAuth client of Google Cloud console (see README.md). Without a client id the
    # "Continue with Google" button is hidden and the Google routes answer 404.
    google_client_id: str = ""
    google_client_secret: SecretStr = SecretStr("")
    # Where the provider's OpenID configuration is; tests point it at a local provider.
    google_discovery_url: str = GOOGLE_DISCOVERY_URL

    @field_validator("google_discovery_url")
    @classmethod
    def _https_discovery(cls, value: str) -> str:
        parts = urlsplit(value)
        local = parts.scheme == "http" and is_loopback(parts.hostname or "")
        if not (parts.scheme == "https" or local) or not parts.hostname:
            raise ValueError(
                "GOOGLE_DISCOVERY_URL must be an https:// URL (plain http only on this machine)"
            )
        return value

    @model_validator(mode="after")
    def _secret_with_client_id(self) -> Self:
        if self.google_client_id and not self.google_client_secret.get_secret_value():
            raise ValueError("GOOGLE_CLIENT_SECRET must be set along with GOOGLE_CLIENT_ID")
        return self
