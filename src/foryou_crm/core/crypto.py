"""amoCRM tokens at rest: AES-256-GCM with a key id on every value, so keys can rotate.

Format: ``v1:<kid>:<base64url(nonce | ciphertext+tag)>``. The value's purpose (e.g.
"amocrm:user:42:refresh") is bound as associated data, so a ciphertext copied to another row
does not decrypt.

Rotation: put the new key first (it encrypts from then on, the old one still decrypts), re-encrypt
what is stored (``reencrypt``; ``foryou-crm keys rotate`` walks the database), then drop the old
key from the setting."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class KeyConfigError(ValueError):
    pass


class DecryptionError(ValueError):
    pass


class TokenCipher:
    def __init__(self, spec: str) -> None:
        """``spec``: "kid:base64key[,kid:base64key…]"; the first key encrypts, all decrypt."""
        self._keys: dict[str, AESGCM] = {}
        self.active_kid = ""
        for entry in (part.strip() for part in spec.split(",") if part.strip()):
            kid, sep, encoded = entry.partition(":")
            if not sep or not kid:
                raise KeyConfigError("token encryption key entries look like 'kid:base64key'")
            try:
                key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=False)
            except ValueError as exc:
                raise KeyConfigError(f"token encryption key {kid!r} is not base64") from exc
            if len(key) != 32:
                raise KeyConfigError(f"token encryption key {kid!r} must be 32 bytes")
            if kid in self._keys:
                # The later entry would win for decryption while the first stays active: a
                # rotation would then report "done" with tokens still under the old key.
                raise KeyConfigError(f"token encryption key id {kid!r} is listed twice")
            self._keys[kid] = AESGCM(key)
            self.active_kid = self.active_kid or kid
        if not self._keys:
            raise KeyConfigError("no token encryption key configured")

    def encrypt(self, plaintext: str, *, purpose: str) -> str:
        nonce = os.urandom(12)
        sealed = self._keys[self.active_kid].encrypt(nonce, plaintext.encode(), purpose.encode())
        blob = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"v1:{self.active_kid}:{blob}"

    def decrypt(self, value: str, *, purpose: str) -> str:
        version, kid, blob = [*value.split(":", 2), "", ""][:3]
        if version != "v1" or kid not in self._keys:
            raise DecryptionError("unknown token format or key id")
        raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        try:
            return self._keys[kid].decrypt(raw[:12], raw[12:], purpose.encode()).decode()
        except InvalidTag as exc:
            raise DecryptionError("token does not decrypt with its key") from exc

    def key_id(self, value: str) -> str:
        return value.split(":", 2)[1] if value.count(":") >= 2 else ""

    def reencrypt(self, value: str, *, purpose: str) -> str | None:
        """``value`` under the active key, or None when it already is (key rotation: run
        again, nothing changes). Raises ``DecryptionError`` when no configured key opens it."""
        if self.key_id(value) == self.active_kid:
            return None
        return self.encrypt(self.decrypt(value, purpose=purpose), purpose=purpose)
