"""Secret tokens (API tokens, contributors' private links) are kept only as their SHA-256."""

from __future__ import annotations

import hashlib


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
