"""Small facts about a request that several routes need, and who its client is."""

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ..settings import IPNetwork

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# The longest client address kept (the length of sign_ins.ip_address): an IPv6 address in full.
MAX_ADDRESS_LENGTH = 45
HEADER = b"x-forwarded-for"


def client_ip(request: Request) -> str:
    """The client's address, as ClientAddressMiddleware decided it."""
    return request.client.host if request.client else "unknown"


class ClientAddressMiddleware:
    """Decides each request's client address (`request.client`) before anything reads it.

    It is the connecting peer's, unless the peer is one of the trusted proxies (the setting
    TRUSTED_PROXIES; none by default): then it is the address that proxy forwarded. Each proxy
    appends the address it saw to X-Forwarded-For, so the header is read from the right, past
    every trusted proxy, to the first address that is not one; whatever a client wrote into the
    header itself stands further left and is never reached. Only IP addresses are taken from the
    header, written the standard way, so a stored address always fits its column.
    """

    def __init__(self, app: ASGIApp, trusted_proxies: Sequence[IPNetwork] = ()) -> None:
        self.app = app
        self.trusted_proxies = tuple(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in {"http", "websocket"}:
            scope["client"] = self.client_of(scope)
        await self.app(scope, receive, send)

    def client_of(self, scope: Scope) -> tuple[str, int] | None:
        peer = scope.get("client")
        if not peer:
            return None
        host, port = peer
        address = parse_address(host)
        if address is None:
            # Not an IP address (a test client's name, a socket path): kept, but never too long.
            return str(host)[:MAX_ADDRESS_LENGTH], port
        if not self.trusts(address):
            return written(address), port
        client = address
        for entry in reversed(forwarded_for(scope)):
            hop = parse_address(entry)
            if hop is None:
                break  # not an address: the hops before it cannot be told apart from a client's
            client = hop
            if not self.trusts(hop):
                break
        return written(client), (port if client == address else 0)

    def trusts(self, address: IPAddress) -> bool:
        return any(address in network for network in self.trusted_proxies)


@lru_cache(maxsize=1024)
def written(address: IPAddress) -> str:
    """`address` in its standard form; kept, as it takes longer than the rest of a request's
    decision."""
    return str(address)


def forwarded_for(scope: Scope) -> list[str]:
    """The entries of every X-Forwarded-For header of the request, in order."""
    headers = [value.decode("latin-1") for name, value in scope["headers"] if name == HEADER]
    return [entry.strip() for value in headers for entry in value.split(",")]


@lru_cache(maxsize=1024)  # a server sees the same few peers and proxies over and over
def parse_address(text: str) -> IPAddress | None:
    """The IP address `text` names ("203.0.113.9", "2001:db8::1", "[2001:db8::1]:443",
    "203.0.113.9:443"), without a port or an IPv6 zone; None if it names none."""
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return ipaddress.IPv6Address(int(address))
    return address
