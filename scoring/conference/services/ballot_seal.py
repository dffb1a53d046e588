"""Sealing an open ballot's votes: what is stored while a ballot is open must tell nobody with
the database alone — a dump, a replica, a stale row version, the WAL — how anyone voted, nor
how many votes a candidate has so far (docs/security.md, "Ballot secrecy").

A sealed value is JSON, padded to a fixed size (so that its length does not tell how many
candidates have votes yet), then encrypted and authenticated with Fernet (the `cryptography`
package: AES-128-CBC with a fresh random IV, HMAC-SHA256 over it, docs/dependencies.md). The key
is derived from SECRET_KEY, which never lives in the database; SECRET_KEY_FALLBACKS still open
what an older key sealed (MultiFernet), so rotating the key during a vote loses nothing. A
Fernet token also carries the time it was made, which the row's own change already shows."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _

from scoring.errors import ScoringError

# A cluster of up to ~150 members fits in one block; beyond, the length grows by whole blocks.
BLOCK = 2048


class SealBroken(ScoringError):
    """A sealed value that does not open with any configured key (tampered with, or sealed
    under a key that is no longer configured)."""


def _fernet(secret: str) -> Fernet:
    key = hashlib.sha256(b"emulation.ballot-seal\x00" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: object) -> str:
    plain = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    size = max(BLOCK, -(-len(plain) // BLOCK) * BLOCK)
    return _fernet(settings.SECRET_KEY).encrypt(plain.ljust(size, b" ")).decode()


def unseal(text: str, default: Any = None) -> Any:
    """The value sealed in `text`; `default` for an empty one."""
    if not text:
        return default
    keys = MultiFernet(
        [_fernet(s) for s in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]]
    )
    try:
        return json.loads(keys.decrypt(text.encode()))
    except (InvalidToken, ValueError):
        raise SealBroken(
            _(
                "Dữ liệu phiếu bầu niêm phong không mở được (bị sửa, hoặc khoá bí mật đã đổi mà "
                "không giữ khoá cũ trong SECRET_KEY_FALLBACKS)."
            )
        ) from None
