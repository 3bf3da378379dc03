"""Identifiers for rows that residents, staff and other systems see."""

import os
import time
import uuid


def uuid7() -> uuid.UUID:
    """Return a new version 7 UUID (RFC 9562 §5.7): the Unix time in milliseconds, then 74 random bits."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10))
    return uuid.UUID(int=value & ~(0xF << 76 | 0x3 << 62) | 0x7 << 76 | 0x2 << 62)
