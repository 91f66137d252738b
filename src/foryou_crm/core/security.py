"""Password hashing (Argon2) and the app's own access JWTs (HS256)."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from foryou_crm.core.bounds import AFTER_LATEST, MAX_INT32, plain_id

_hasher = PasswordHasher()
# Verified against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


def issue_access_token(
    *, user_id: int, version: int, secret: str, issuer: str, ttl_seconds: int, now: datetime
) -> IssuedToken:
    """``version``: the user's token version, carried as ``ver``; a JWT whose ``ver`` is not
    the user's current one is refused (a password reset bumps it)."""
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "ver": version,
        "iss": issuer,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
        "jti": secrets.token_urlsafe(16),
    }
    return IssuedToken(jwt.encode(claims, secret, algorithm="HS256"), ttl_seconds)


def decode_access_token(token: str, *, secret: str, issuer: str, now: datetime) -> dict[str, Any]:
    """Only HS256 is accepted (never ``alg: none``); raises ``jwt.InvalidTokenError``. The
    claims come back checked: ``sub`` as the user id (an int that fits users.id), ``ver`` as
    an int. Times are checked against the service clock (movable in tests), not the wall
    clock, on every call; what does not depend on the time is remembered per token."""
    claims = _verified_claims(token, secret, issuer)
    if claims["exp"] <= int(now.timestamp()):
        raise jwt.ExpiredSignatureError("token expired")
    if claims["iat"] > int(now.timestamp()) + 60:
        raise jwt.ImmatureSignatureError("token issued in the future")
    return dict(claims)


# An app sends the same token on every request until it expires: verifying its signature and
# claims once per token instead of per request saves a tenth of a /status request (measured).
# Keyed by the token's whole text with the secret and issuer, so a changed secret verifies
# again; bounded, so a flood of distinct valid tokens only evicts. Refused tokens are not kept
# (lru_cache keeps results, not exceptions): each costs its verification, as before.
@functools.lru_cache(maxsize=4096)
def _verified_claims(token: str, secret: str, issuer: str) -> Mapping[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        token,
        secret,
        algorithms=["HS256"],
        issuer=issuer,
        options={
            "require": ["sub", "iat", "exp", "jti"],
            "verify_exp": False,
            "verify_iat": False,
        },
    )
    exp, iat = claim_time(claims, "exp"), claim_time(claims, "iat")
    sub = claims["sub"]
    user_id = plain_id(sub, MAX_INT32) if isinstance(sub, str) else None
    if user_id is None:
        # Never looked up: a 30-digit or 2^63 id would overflow the users.id column.
        raise jwt.InvalidTokenError("sub is not a user id")
    version = claims.get("ver", 0)
    if type(version) is not int or not 0 <= version <= MAX_INT32:
        raise jwt.InvalidTokenError("ver is not a token version")
    # Read-only: every caller gets its own copy of what is shared here.
    return MappingProxyType({**claims, "sub": user_id, "ver": version, "exp": exp, "iat": iat})


def claim_time(claims: dict[str, Any], name: str) -> int:
    """A NumericDate claim as whole Unix seconds; anything else (a string, a boolean, NaN,
    1e400, a year past 2100) makes the token invalid instead of overflowing."""
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise jwt.InvalidTokenError(f"{name} is not a NumericDate")
    if not 0 <= value < AFTER_LATEST.timestamp():  # False for NaN too
        raise jwt.InvalidTokenError(f"{name} is out of range")
    return int(value)
