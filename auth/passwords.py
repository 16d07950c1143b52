"""Password hashing with argon2 (argon2-cffi)."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("csdesk-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an unknown user (None) costs the same time."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# argon2 is built to be slow and memory-hard: checks run on threads of their own, at most half
# the cores at a time, so that a burst of sign-ins can neither block the event loop nor starve
# its thread of CPU (further checks queue; the login throttle bounds how many there are).
_checks = ThreadPoolExecutor(
    max_workers=max(1, (os.cpu_count() or 2) // 2), thread_name_prefix="csdesk-argon2"
)


async def check_password(password_hash: str | None, password: str) -> bool:
    """``verify_password`` off the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_checks, verify_password, password_hash, password)
