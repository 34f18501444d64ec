"""API keys and HTTP Basic passwords, the credentials the gateway checks besides bearer JWTs.

API keys are known only by their sha256 digests (``AuthConfig.api_keys``); a presented key
is hashed and looked up, so neither timing nor memory reveals a valid key. Basic users have
password hashes made by :func:`hash_password` (``scrypt$n$r$p$salt$hash`` or
``pbkdf2_sha256$iterations$salt$hash``, base64 salt and hash), compared in constant time.
A password that verified is remembered by the digest of its header, since scrypt is slow on
purpose and clients send the same header on every request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping

from accord._errors import AccordError

__all__ = ["ApiKeys", "BasicUsers", "hash_password"]

#: scrypt's cost: 16 MiB and about 50 ms per check (RFC 7914's interactive-login figures)
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 1 << 14, 8, 1
_CACHE_SIZE = 10_000


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """An scrypt hash of ``password`` for ``gateway.auth.basic_users``."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _check(password: str, encoded: str) -> bool:
    parts = encoded.split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            salt, expected = base64.b64decode(parts[4]), base64.b64decode(parts[5])
            got = hashlib.scrypt(
                password.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=1 << 26
            )
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            rounds = int(parts[1])
            salt, expected = base64.b64decode(parts[2]), base64.b64decode(parts[3])
            got = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, rounds, len(expected))
        else:
            return False
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(got, expected)


def _well_formed(encoded: str) -> bool:
    parts = encoded.split("$")
    shapes = {"scrypt": 6, "pbkdf2_sha256": 4}
    if shapes.get(parts[0]) != len(parts):
        return False
    try:
        [int(p) for p in parts[1:-2]]
        base64.b64decode(parts[-2], validate=True)
        base64.b64decode(parts[-1], validate=True)
    except (ValueError, binascii.Error):
        return False
    return True


class ApiKeys:
    """The valid API keys, by digest."""

    def __init__(self, digests: Mapping[str, str]) -> None:
        self._clients = dict(digests)

    def __bool__(self) -> bool:
        return bool(self._clients)

    def client(self, key: str) -> str | None:
        """The client the key names, or None when it is not a valid key."""
        return self._clients.get(hashlib.sha256(key.encode()).hexdigest())


class BasicUsers:
    """The Basic users and their password hashes."""

    def __init__(self, users: Mapping[str, str]) -> None:
        bad = sorted(user for user, encoded in users.items() if not _well_formed(encoded))
        if bad:
            raise AccordError(
                f"gateway.auth.basic_users: {', '.join(bad)}: not a password hash "
                "(expected scrypt$n$r$p$salt$hash or pbkdf2_sha256$rounds$salt$hash)"
            )
        self._users = dict(users)
        self._verified: dict[bytes, str] = {}  # sha256 of "user:password" -> user

    def __bool__(self) -> bool:
        return bool(self._users)

    def remembered(self, credentials: str) -> str | None:
        """The user of credentials that verified before (no hashing beyond one sha256)."""
        return self._verified.get(hashlib.sha256(credentials.encode()).digest())

    def verify(self, credentials: str) -> str | None:
        """``user:password`` -> the user when the password is right, else None (slow)."""
        user, sep, password = credentials.partition(":")
        encoded = self._users.get(user)
        if not sep or encoded is None:
            return None
        if not _check(password, encoded):
            return None
        if len(self._verified) >= _CACHE_SIZE:
            del self._verified[next(iter(self._verified))]
        self._verified[hashlib.sha256(credentials.encode()).digest()] = user
        return user
