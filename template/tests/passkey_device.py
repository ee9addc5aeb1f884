"""A passkey device in software, for the tests: it answers the server's WebAuthn options as a
browser and a platform authenticator would, with ES256 keys and "none" attestation."""

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, replace

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_UP = 0x01  # user present
FLAG_UV = 0x04  # user verified
FLAG_AT = 0x40  # attested credential data included


def b64url(data):
    """Base64url without padding, as WebAuthn's JSON uses."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text):
    """The bytes of a base64url string, with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def client_data(kind, options, origin):
    """The clientDataJSON bytes the browser builds for `kind` ("create" or "get")."""
    data = {
        "type": f"webauthn.{kind}",
        "challenge": options["challenge"],
        "origin": origin,
        "crossOrigin": False,
    }
    return json.dumps(data, separators=(",", ":")).encode()


@dataclass
class Credential:
    """One discoverable credential the authenticator keeps."""

    id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    counter: int = 0


class SoftAuthenticator:
    """A passkey authenticator in software: ES256 keys, "none" attestation, discoverable
    credentials. UP is always set; UV only if `user_verified`. The signature counter grows by
    `counter_step` per use (0: it stays 0, as many platform authenticators do)."""

    def __init__(self, *, user_verified=True, counter_step=1):
        self.user_verified = user_verified
        self.counter_step = counter_step
        self.credentials = []

    @property
    def credential_ids(self):
        """The base64url ids of the credentials it holds, oldest first."""
        return [b64url(credential.id) for credential in self.credentials]

    def clone(self):
        """A second authenticator holding copies of the same credentials, keys and counters;
        each copy's counters then move on their own."""
        twin = SoftAuthenticator(user_verified=self.user_verified, counter_step=self.counter_step)
        twin.credentials = [replace(credential) for credential in self.credentials]
        return twin

    def _auth_data(self, rp_id, counter, flags=0, attested=b""):
        flags |= FLAG_UP | (FLAG_UV if self.user_verified else 0)
        rp_id_hash = hashlib.sha256(rp_id.encode()).digest()
        return rp_id_hash + bytes([flags]) + struct.pack(">I", counter) + attested

    def create(self, options, origin, *, rp_id=None):
        """Answer registration options as navigator.credentials.create() does, with the
        RegistrationResponseJSON a page posts. `options` is the server's options as parsed JSON;
        `rp_id` (default: the options' rp id) is the one hashed into the authenticator data."""
        own_ids = {credential.id for credential in self.credentials}
        for excluded in options.get("excludeCredentials") or []:
            if unb64url(excluded["id"]) in own_ids:
                raise ValueError("this authenticator already holds an excluded credential")
        options_rp_id = options["rp"]["id"]
        credential = Credential(
            id=os.urandom(16),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=options_rp_id,
            user_handle=unb64url(options["user"]["id"]),
        )
        numbers = credential.private_key.public_key().public_numbers()
        x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
        cose_key = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: x, -3: y})  # EC2, ES256, P-256
        attested = bytes(16) + struct.pack(">H", len(credential.id)) + credential.id + cose_key
        auth_data = self._auth_data(rp_id or options_rp_id, 0, FLAG_AT, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        self.credentials.append(credential)
        return {
            "id": b64url(credential.id),
            "rawId": b64url(credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data("create", options, origin)),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(self, options, origin, *, rp_id=None):
        """Answer authentication options as navigator.credentials.get() does, with the
        AuthenticationResponseJSON a page posts. It signs with the newest credential for the
        options' rpId (among allowCredentials, if any are listed); none: ValueError. `rp_id`
        overrides the hashed rp id, as in create()."""
        allowed = {unb64url(item["id"]) for item in options.get("allowCredentials") or []}
        usable = [
            credential
            for credential in self.credentials
            if credential.rp_id == options["rpId"] and (not allowed or credential.id in allowed)
        ]
        if not usable:
            raise ValueError("this authenticator holds no credential for these options")
        credential = usable[-1]
        credential.counter += self.counter_step
        auth_data = self._auth_data(rp_id or credential.rp_id, credential.counter)
        client_data_json = client_data("get", options, origin)
        signature = credential.private_key.sign(
            auth_data + hashlib.sha256(client_data_json).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64url(credential.id),
            "rawId": b64url(credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data_json),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(credential.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
