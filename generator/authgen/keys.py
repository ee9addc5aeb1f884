"""Fresh JWT signing keys for a jwt project's .env; never written anywhere else.

`jwt_env(algorithm)` gives the two settings the generated project reads:
- JWT_KEYS: a JWK Set (RFC 7517) as compact JSON on one line, holding one new key;
- JWT_SIGNING_KID: the kid of that key, which signs new access tokens.
The generated project's `python -m <package>.auth.keys` makes the same, for `.env` by hand.
"""

from __future__ import annotations

import base64
import json
import secrets

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwt_env(algorithm: str) -> dict[str, str]:
    """JWT_KEYS and JWT_SIGNING_KID for a new project signing with `algorithm`."""
    kid = secrets.token_hex(8)
    key: dict[str, str]
    if algorithm == "EdDSA":
        private = Ed25519PrivateKey.generate()
        key = {
            "kty": "OKP",
            "crv": "Ed25519",
            "kid": kid,
            "x": _b64url(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)),
            "alg": "EdDSA",
            "use": "sig",
            "d": _b64url(private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())),
        }
    elif algorithm == "HS256":
        # 256 random bits (RFC 8725 section 3.5); the app refuses anything shorter.
        key = {"kty": "oct", "kid": kid, "k": _b64url(secrets.token_bytes(32)), "alg": "HS256"}
        key["use"] = "sig"
    else:
        raise ValueError(f"jwt_algorithm must be EdDSA or HS256, not {algorithm!r}")
    return {"JWT_KEYS": json.dumps({"keys": [key]}, separators=(",", ":")), "JWT_SIGNING_KID": kid}
