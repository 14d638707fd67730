"""Bearer JWTs signed by a cloud's identity provider (RS256, keys published as a JWKS): GCS's
Pub/Sub push (Google OIDC) and Azure Event Grid's Microsoft Entra-protected webhooks.

The token is verified before the body is read: its signature against the provider's keys
(fetched once, cached for an hour, fetched again for a key id not seen yet), its audience,
its issuer, and its expiry with no leeway. A provider's own claims (the push service
account's ``email``) are checked by the caller's ``claims_problem``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from retrigger.events.model import Unavailable

if TYPE_CHECKING:
    from jwt import PyJWKClient


class BearerCheck:
    def __init__(
        self,
        jwks_url: str,
        audience: str,
        issuers: tuple[str, ...],
        claims_problem: Callable[[dict[str, Any]], str | None] = lambda _claims: None,
    ) -> None:
        self.jwks_url = jwks_url
        self.audience = audience
        self.issuers = issuers
        self.claims_problem = claims_problem
        self._keys: PyJWKClient | None = None

    def problem(self, headers: Mapping[str, str]) -> str | None:
        """Why the request's ``Authorization: Bearer`` token is refused, or None; raises
        ``Unavailable`` when the provider's keys cannot be fetched (the sender retries)."""
        import jwt

        scheme, _, token = headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return "missing Authorization: Bearer token"
        if self._keys is None:
            self._keys = jwt.PyJWKClient(self.jwks_url, cache_keys=True, lifespan=3600)
        try:
            key = self._keys.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError:
            raise Unavailable(f"could not fetch the signing keys from {self.jwks_url}") from None
        except (jwt.PyJWKClientError, jwt.InvalidTokenError):
            return "bad token: no matching signing key"
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuers,
                options={"require": ["exp", "iat", "aud", "iss"]},
                leeway=0,
            )
        except jwt.ExpiredSignatureError:
            return "token expired"
        except jwt.InvalidAudienceError:
            return "token for another audience"
        except jwt.InvalidIssuerError:
            return "token from another issuer"
        except jwt.InvalidTokenError as exc:
            return f"bad token: {str(exc)[:120]}"
        return self.claims_problem(claims)
