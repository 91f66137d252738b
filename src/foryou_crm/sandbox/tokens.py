"""Authorization codes, access tokens (RS256 JWTs) and single-use refresh tokens.

The rules follow amocrm-api.md §2:
- a code lives `code_ttl` (20 min) and works once; a second use is "has been revoked";
- a refresh token works once and lives `refresh_ttl` (3 months);
- Kommo (platform 2) documents a grace: "the old refresh token will still be functional
  and you can use it until you use the new one". amoCRM (platform 1) says the old token is
  dead as soon as a new pair exists. We implement both, per platform.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .clock import Clock
from .config import SandboxConfig
from .models import Account

SCOPES = ["crm", "files", "files_delete", "notifications", "push_notifications"]


@cache
def _signing_key() -> rsa.RSAPrivateKey:
    # One key per process: generating RSA keys is slow and tests build many sandboxes.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_key_pem() -> str:
    return (
        _signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class TokenError(Exception):
    """A refused exchange: HTTP status + the documented `hint`."""

    def __init__(self, status: int, hint: str) -> None:
        super().__init__(hint)
        self.status = status
        self.hint = hint


@dataclass
class AuthCode:
    code: str
    account_host: str
    user_id: int
    client_id: str
    issued_at: float
    used: bool = False
    revoked: bool = False


@dataclass
class TokenPair:
    id: int
    account_host: str
    user_id: int
    client_id: str
    jti: str
    refresh_token: str
    issued_at: float
    access_expires_at: float
    refresh_expires_at: float
    grant_type: str
    revoked: bool = False
    refresh_used: bool = False
    # Set when the pair was first used (API call with its access token, or a refresh
    # with its refresh token). Ends the Kommo grace of the predecessor.
    touched: bool = False
    successor: int | None = None


@dataclass(frozen=True)
class IssuedTokens:
    pair: TokenPair
    access_token: str
    expires_in: int
    server_time: int

    def body(self) -> dict[str, Any]:
        # Exactly the documented keys, in the documented order.
        return {
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "server_time": self.server_time,
            "access_token": self.access_token,
            "refresh_token": self.pair.refresh_token,
        }


class TokenStore:
    def __init__(self, config: SandboxConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.codes: dict[str, AuthCode] = {}
        self.pairs: dict[int, TokenPair] = {}
        self.by_jti: dict[str, TokenPair] = {}
        self.by_refresh: dict[str, TokenPair] = {}
        self._next_pair = 0

    def clear(self) -> None:
        self.codes.clear()
        self.pairs.clear()
        self.by_jti.clear()
        self.by_refresh.clear()

    # --- codes -------------------------------------------------------------------------

    def issue_code(self, account: Account, user_id: int, client_id: str) -> str:
        # Real codes are long opaque "def50200…" strings; only their opacity matters.
        code = "def50200" + secrets.token_hex(96)
        self.codes[code] = AuthCode(code, account.host, user_id, client_id, self.clock.now())
        return code

    def exchange_code(self, account: Account, code: str, client_id: str) -> IssuedTokens:
        record = self.codes.get(code)
        if record is None or record.client_id != client_id:
            raise TokenError(400, "Cannot decrypt the authorization code")
        if record.account_host != account.host:
            raise TokenError(400, "Invalid account")
        if record.used or record.revoked:
            raise TokenError(400, "Authorization code has been revoked")
        if self.clock.now() >= record.issued_at + self.config.code_ttl:
            raise TokenError(400, "Authorization code has expired")
        record.used = True
        return self._issue(account, record.user_id, client_id, "authorization_code")

    # --- refresh -----------------------------------------------------------------------

    def refresh(self, account: Account, refresh_token: str, client_id: str) -> IssuedTokens:
        pair = self.by_refresh.get(refresh_token)
        if pair is None:
            raise TokenError(401, "Cannot decrypt the refresh token")
        if pair.client_id != client_id:
            raise TokenError(401, "Token is not linked to client")
        if pair.account_host != account.host:
            raise TokenError(400, "Invalid account")
        if pair.revoked:
            raise TokenError(401, "Token has been revoked")
        if self.clock.now() >= pair.refresh_expires_at:
            raise TokenError(401, "Token has expired")
        if pair.refresh_used:
            successor = self._grace_successor(pair, account.platform)
            if successor is None:
                raise TokenError(401, "Token has been revoked")
            # Kommo grace: the new pair was never used (its response was lost), so the old
            # refresh token still works. The unused pair is superseded, so that only one
            # chain of tokens stays alive.
            self._revoke_pair(successor)
        pair.refresh_used = True
        pair.touched = True
        issued = self._issue(account, pair.user_id, client_id, "refresh_token")
        pair.successor = issued.pair.id
        return issued

    def _grace_successor(self, pair: TokenPair, platform: int) -> TokenPair | None:
        """The unused pair a used Kommo refresh token may still replace, or None."""
        successor = self.pairs.get(pair.successor) if pair.successor is not None else None
        if platform == 2 and successor is not None and not successor.touched:
            return None if successor.revoked else successor
        return None

    def active_refresh(self, refresh_token: str, platform_of: dict[str, int]) -> TokenPair | None:
        """The pair of a refresh token that could still be exchanged (the subdomain lookup
        answers only for "активный Refresh Token"); `platform_of` maps account hosts."""
        pair = self.by_refresh.get(refresh_token)
        if pair is None or pair.revoked or self.clock.now() >= pair.refresh_expires_at:
            return None
        platform = platform_of.get(pair.account_host, 1)
        if pair.refresh_used and self._grace_successor(pair, platform) is None:
            return None
        return pair

    # --- access tokens -----------------------------------------------------------------

    def _issue(self, account: Account, user_id: int, client_id: str, grant: str) -> IssuedTokens:
        now = self.clock.now()
        iat = int(now)
        jti = str(uuid.uuid4())
        self._next_pair += 1
        pair = TokenPair(
            id=self._next_pair,
            account_host=account.host,
            user_id=user_id,
            client_id=client_id,
            jti=jti,
            refresh_token="def50200" + secrets.token_hex(160),
            issued_at=now,
            access_expires_at=now + self.config.access_ttl,
            refresh_expires_at=now + self.config.refresh_ttl,
            grant_type=grant,
        )
        claims: dict[str, Any] = {
            "aud": client_id,
            "jti": jti,
            "iat": iat,
            "nbf": iat,
            "exp": iat + self.config.access_ttl,
            "sub": str(user_id),
            "grant_type": grant,
            "account_id": account.id,
            "base_domain": account.base_domain,
            "version": 2,
            "scopes": SCOPES,
            "hash_uuid": str(uuid.uuid4()),
            "api_domain": account.api_domain,
            "user_flags": 0,
        }
        token = jwt.encode(
            claims, _signing_key(), algorithm="RS256", headers={"typ": "JWT", "jti": jti}
        )
        self.pairs[pair.id] = pair
        self.by_jti[jti] = pair
        self.by_refresh[pair.refresh_token] = pair
        return IssuedTokens(pair, token, self.config.access_ttl, iat)

    def authenticate(self, account: Account, authorization: str | None) -> TokenPair | None:
        """The pair behind a Bearer header, or None for missing/malformed/expired/revoked."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            claims = jwt.decode(
                token.strip(),
                _signing_key().public_key(),
                algorithms=["RS256"],
                # Time claims are checked against the sandbox clock below, not wall time.
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                         "verify_aud": False},
            )  # fmt: skip
        except jwt.PyJWTError:
            return None
        pair = self.by_jti.get(str(claims.get("jti")))
        if pair is None or pair.revoked or pair.account_host != account.host:
            return None
        if self.clock.now() >= pair.access_expires_at:
            return None
        pair.touched = True
        return pair

    # --- revocation --------------------------------------------------------------------

    def _revoke_pair(self, pair: TokenPair) -> None:
        pair.revoked = True

    def revoke_account(self, host: str) -> int:
        """Revoke every code and token of an account; returns how many pairs died."""
        count = 0
        for pair in self.pairs.values():
            if pair.account_host == host and not pair.revoked:
                pair.revoked = True
                count += 1
        for code in self.codes.values():
            if code.account_host == host:
                code.revoked = True
        return count

    def revoke_all(self) -> int:
        return sum(
            self.revoke_account(host) for host in {p.account_host for p in self.pairs.values()}
        )
