"""JWTs issued by ForYou's existing admin backend, accepted beside our own.

Verified with an HS256 shared secret, an RS256 public key, or the issuer's JWKS; issuer and (when
configured) audience are checked; the user id comes from a configurable claim."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from jwt import PyJWKClient

from foryou_crm.core.config import Settings
from foryou_crm.core.security import claim_time


@dataclass(frozen=True)
class ExternalIdentity:
    issuer: str
    subject: str
    email: str | None
    name: str | None


class ExternalJWTVerifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._jwks = (
            PyJWKClient(settings.external_jwt_jwks_url, cache_keys=True, timeout=5)
            if settings.external_jwt_jwks_url
            else None
        )

    @property
    def issuer(self) -> str | None:
        return self.settings.external_jwt_issuer

    async def _key(self, token: str) -> tuple[Any, list[str]]:
        s = self.settings
        if s.external_jwt_secret is not None and s.external_jwt_secret.get_secret_value():
            return s.external_jwt_secret.get_secret_value(), ["HS256"]
        if s.external_jwt_public_key:
            return s.external_jwt_public_key, ["RS256"]
        if self._jwks is not None:
            # PyJWKClient fetches over blocking urllib; keep it off the event loop.
            signing_key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
            return signing_key.key, ["RS256"]
        raise jwt.InvalidTokenError("external issuer has no verification key configured")

    async def verify(self, token: str, now: datetime) -> ExternalIdentity:
        s = self.settings
        key, algorithms = await self._key(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            issuer=s.external_jwt_issuer,
            audience=s.external_jwt_audience,
            options={
                "require": ["exp", "iss", s.external_jwt_user_id_claim],
                "verify_aud": s.external_jwt_audience is not None,
                "verify_exp": False,
                "verify_iat": False,
            },
        )
        if claim_time(claims, "exp") <= int(now.timestamp()):
            raise jwt.ExpiredSignatureError("token expired")
        raw_subject = claims[s.external_jwt_user_id_claim]
        subject = str(raw_subject).strip() if raw_subject is not None else ""
        if not subject or len(subject) > 255 or "\x00" in subject:
            raise jwt.InvalidTokenError("external token has no usable user id")
        email = _text_claim(claims.get(s.external_jwt_email_claim), 320)
        name = _text_claim(claims.get(s.external_jwt_name_claim), 200)
        return ExternalIdentity(
            issuer=str(claims["iss"]),
            subject=subject,
            email=email.lower() if email else None,
            name=name,
        )


def _text_claim(value: Any, max_length: int) -> str | None:
    """An optional text claim as the users table can hold it: a non-string, NUL or an
    over-long value is left out (the subject alone identifies the user)."""
    if not isinstance(value, str) or not value or "\x00" in value or len(value) > max_length:
        return None
    return value
