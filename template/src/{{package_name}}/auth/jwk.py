"""JSON Web Keys (RFC 7517): how JWT_KEYS is written, whichever algorithm the keys are for."""

import base64
import json
import re
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

# A kid is only ever a name to look a key up by, so it is kept to plain characters.
KID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def b64url(data: bytes) -> str:
    """Base64url without padding, as JWKs write their key material."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: Any) -> bytes:
    """The bytes of a base64url string; ValueError for anything else."""
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def entries(jwks_json: str) -> list[Any]:
    """The keys listed in a JWK Set (JSON), each still to be checked."""
    try:
        document = json.loads(jwks_json)
    except ValueError:
        raise ValueError('JWT_KEYS must be a JWK Set in JSON: {"keys": [...]}') from None
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list) or not keys:
        raise ValueError(
            'JWT_KEYS must be a JWK Set in JSON with at least one key: {"keys": [...]}'
        )
    return keys


def kid_of(entry: Any) -> str:
    """The kid of one JWK; ValueError unless it is a plain name."""
    kid = entry.get("kid") if isinstance(entry, dict) else None
    if not isinstance(kid, str) or not KID.fullmatch(kid):
        raise ValueError("every key in JWT_KEYS needs a kid of letters, digits, '.', '_' or '-'")
    return kid


def dump(jwks: dict[str, list[dict[str, str]]]) -> str:
    """A JWK Set as compact JSON: one line without spaces, so it fits in .env unquoted."""
    return json.dumps(jwks, separators=(",", ":"))


class _Configured(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    jwt_keys: str


def configured_jwks() -> str:
    """JWT_KEYS as the environment (or .env) has it now."""
    return _Configured().jwt_keys  # type: ignore[call-arg]  # read from the environment
