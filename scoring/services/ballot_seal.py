"""Sealing an open ballot's votes: what is stored while a ballot is open must tell nobody with
the database alone — a dump, a replica, a stale row version, the WAL — how anyone voted, nor
how many votes a candidate has so far (docs/security.md, "Ballot secrecy").

A sealed value is JSON, padded to a fixed size (so that its length does not tell how many
candidates have votes yet), encrypted with a fresh random nonce and authenticated: HMAC-SHA256
as the pseudo-random function, in counter mode for the key stream and over nonce and
ciphertext for the tag (encrypt-then-MAC). The keys are derived from SECRET_KEY, which never
lives in the database; SECRET_KEY_FALLBACKS still open what an older key sealed, so rotating
the key during a vote loses nothing. Only the standard library: the project has no
cryptography package, and this construction needs nothing but a PRF."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

from django.conf import settings

from ..errors import ScoringError

NONCE_BYTES = 16
TAG_BYTES = 32
# A cluster of up to ~150 members fits in one block; beyond, the length grows by whole blocks.
BLOCK = 2048


class SealBroken(ScoringError):
    """A sealed value that does not open with any configured key (tampered with, or sealed
    under a key that is no longer configured)."""


def _keys(secret: str) -> tuple[bytes, bytes]:
    root = hashlib.sha256(b"emulation.ballot-seal\x00" + secret.encode()).digest()
    return (
        hmac.new(root, b"encrypt", hashlib.sha256).digest(),
        hmac.new(root, b"authenticate", hashlib.sha256).digest(),
    )


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def seal(value) -> str:
    plain = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    size = max(BLOCK, -(-len(plain) // BLOCK) * BLOCK)
    plain = plain.ljust(size, b" ")
    encrypt, authenticate = _keys(settings.SECRET_KEY)
    nonce = secrets.token_bytes(NONCE_BYTES)
    body = nonce + _xor(plain, _stream(encrypt, nonce, len(plain)))
    tag = hmac.new(authenticate, body, hashlib.sha256).digest()
    return base64.b64encode(body + tag).decode()


def unseal(text: str, default=None):
    """The value sealed in `text`; `default` for an empty one."""
    if not text:
        return default
    try:
        raw = base64.b64decode(text.encode(), validate=True)
    except ValueError:
        raise SealBroken("Dữ liệu phiếu bầu niêm phong không hợp lệ.") from None
    body, tag = raw[:-TAG_BYTES], raw[-TAG_BYTES:]
    if len(body) <= NONCE_BYTES:
        raise SealBroken("Dữ liệu phiếu bầu niêm phong không hợp lệ.")
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        encrypt, authenticate = _keys(secret)
        if hmac.compare_digest(hmac.new(authenticate, body, hashlib.sha256).digest(), tag):
            nonce, cipher = body[:NONCE_BYTES], body[NONCE_BYTES:]
            return json.loads(_xor(cipher, _stream(encrypt, nonce, len(cipher))))
    raise SealBroken(
        "Dữ liệu phiếu bầu niêm phong không mở được (bị sửa, hoặc khoá bí mật đã đổi mà không "
        "giữ khoá cũ trong SECRET_KEY_FALLBACKS)."
    )
