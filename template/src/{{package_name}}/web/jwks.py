"""The public keys that check this app's access tokens, for other services (a JWK Set)."""

from fastapi import APIRouter

from ..app_state import AppSettings

router = APIRouter()


@router.get("/.well-known/jwks.json")
async def jwks(settings: AppSettings) -> dict[str, list[dict[str, str]]]:
    """Every key that checks tokens, public parts only; rotated-in keys appear here first."""
    return settings.token_keys.public_jwks()
