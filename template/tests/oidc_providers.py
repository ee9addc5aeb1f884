"""OpenID providers for the Google sign-in tests, served over real HTTP on 127.0.0.1.

`MockProvider` runs the oidc-provider-mock package (discovery, authorization, token, userinfo and
JWKS endpoints) and records what its token endpoint is asked and answers. `ForgedProvider` serves
discovery, JWKS and a token endpoint whose ID token each test shapes (another audience, issuer,
nonce, an expiry in the past, a key the JWKS does not hold), as a provider gone wrong or an
attacker would.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import httpx2
import oidc_provider_mock
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

DISCOVERY_PATH = "/.well-known/openid-configuration"


class _TokenRecorder:
    """WSGI middleware: keeps each token request's form and the JSON answered to it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests: list[dict[str, str]] = []
        self.responses: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/oauth2/token":
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        self.requests.append(dict(parse_qsl(body.decode())))
        answer = b"".join(self.app(environ, start_response))
        try:
            self.responses.append(json.loads(answer))
        except ValueError:
            self.responses.append({})
        return [answer]


class MockProvider:
    """oidc-provider-mock on a free port. Any client id is accepted; users are made with
    `add_user` and signed in at the authorization endpoint by posting their subject."""

    def __init__(self, base_url: str, recorder: _TokenRecorder) -> None:
        self.base_url = base_url
        self.issuer = base_url
        self.discovery_url = base_url + DISCOVERY_PATH
        self.recorder = recorder

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[MockProvider]:
        recorder = _TokenRecorder(oidc_provider_mock.app(require_nonce=True))
        server = make_server("127.0.0.1", 0, recorder, threaded=True)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            yield cls(f"http://127.0.0.1:{server.server_port}", recorder)
        finally:
            server.shutdown()
            thread.join(5)
            server.server_close()

    @property
    def token_requests(self) -> list[dict[str, str]]:
        return self.recorder.requests

    @property
    def issued_tokens(self) -> list[str]:
        """Every access, refresh and ID token this provider has handed out."""
        kinds = ("access_token", "refresh_token", "id_token")
        return [
            answer[kind] for answer in self.recorder.responses for kind in kinds if kind in answer
        ]

    def add_user(self, subject: str, email: str | None, *, email_verified: bool = True) -> None:
        claims: dict[str, object] = {"email_verified": email_verified}
        if email is not None:
            claims["email"] = email
        response = httpx2.put(f"{self.base_url}/users/{subject}", json=claims)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url: str, subject: str) -> str:
        """Sign `subject` in at the authorization page; the URL it redirects the browser to."""
        assert authorization_url.startswith(self.base_url + "/"), authorization_url
        response = httpx2.post(authorization_url, data={"sub": subject})
        assert response.status_code in {302, 303}, response.text
        return response.headers["location"]


class ForgedProvider:
    """Discovery, JWKS and a token endpoint whose ID token the test decides."""

    ACCESS_TOKEN = "forged-access-token"

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.base_url = f"http://127.0.0.1:{server.server_port}"
        self.issuer = self.base_url
        self.discovery_url = self.base_url + DISCOVERY_PATH
        self.key = RSAKey.generate_key(2048, parameters={"kid": "provider-key"})
        self.claims: dict[str, Any] = {}
        self.signing_key: RSAKey | None = None
        self.header: dict[str, Any] | None = None
        self.raw_id_token: str | None = None
        self.without_id_token = False
        self.token_requests: list[dict[str, str]] = []

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[ForgedProvider]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _ForgedHandler)
        provider = cls(server)
        server.provider = provider  # type: ignore[attr-defined]
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            yield provider
        finally:
            server.shutdown()
            thread.join(5)
            server.server_close()

    def will_issue(
        self,
        client_id: str,
        nonce: str | None,
        *,
        signing_key: RSAKey | None = None,
        header: dict[str, Any] | None = None,
        raw_id_token: str | None = None,
        without_id_token: bool = False,
        **changes: Any,
    ) -> None:
        """The ID token the next token request gets: a good one for `client_id` and `nonce`,
        with `changes` applied (a change to None removes that claim), or none at all."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": client_id,
            "sub": "forged-subject",
            "email": "forged@example.com",
            "email_verified": True,
            "iat": now,
            "exp": now + 600,
            "nonce": nonce,
        }
        claims.update(changes)
        self.claims = {name: value for name, value in claims.items() if value is not None}
        self.signing_key = signing_key
        self.header = header
        self.raw_id_token = raw_id_token
        self.without_id_token = without_id_token

    def id_token(self) -> str:
        if self.raw_id_token is not None:
            return self.raw_id_token
        key = self.signing_key or self.key
        header = self.header or {"alg": "RS256", "kid": key.kid}
        return jwt.encode(header, self.claims, key)

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.base_url + "/authorize",
            "token_endpoint": self.base_url + "/token",
            "jwks_uri": self.base_url + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }


class _ForgedHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read what matters from the provider object."""

    @property
    def provider(self) -> ForgedProvider:
        return self.server.provider  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        if self.path == DISCOVERY_PATH:
            self._json(self.provider.metadata())
        elif self.path == "/jwks":
            self._json(KeySet([self.provider.key]).as_dict(private=False))
        else:
            self._json({"error": "not_found"}, status=404)

    def do_POST(self) -> None:
        if self.path != "/token":
            self._json({"error": "not_found"}, status=404)
            return
        length = int(self.headers.get("content-length") or 0)
        self.provider.token_requests.append(dict(parse_qsl(self.rfile.read(length).decode())))
        answer = {"access_token": ForgedProvider.ACCESS_TOKEN, "token_type": "Bearer"}
        if not self.provider.without_id_token:
            answer["id_token"] = self.provider.id_token()
        self._json(answer)

    def _json(self, body: Any, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
