"""Malware scanning backends (a registry, chosen by DOCUMENT_SCANNER); ClamAV's clamd is the one provided.

Fail closed: a scanner that cannot be reached or answers with an error raises ScannerUnavailable, and the
document stays pending. Only an explicit "OK" makes a document clean.
"""

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """The scanner could not give a verdict; try again later."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    finding: str = ""  # the signature name when not clean


class ClamdScanner:
    """Talk to clamd over its INSTREAM command, on ``unix:///path/to/socket`` or ``tcp://host:3310``."""

    def __init__(self, url: str, timeout: float = 60):
        self.url, self.timeout = urlsplit(url), timeout

    def _connect(self) -> socket.socket:
        if self.url.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            address = self.url.path
        elif self.url.scheme == "tcp":
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            address = (self.url.hostname, self.url.port or 3310)
        else:
            raise ScannerUnavailable(f"CLAMD_URL must be unix:///path or tcp://host:port, not {self.url.geturl()}")
        sock.settimeout(self.timeout)
        sock.connect(address)
        return sock

    def scan(self, data: bytes) -> Verdict:
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                for start in range(0, len(data), CHUNK):
                    chunk = data[start : start + CHUNK]
                    sock.sendall(struct.pack(">I", len(chunk)) + chunk)
                sock.sendall(struct.pack(">I", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    part = sock.recv(4096)
                    if not part:
                        break
                    reply += part
        except OSError as exc:
            raise ScannerUnavailable(f"clamd at {self.url.geturl()}: {exc}") from exc
        answer = reply.rstrip(b"\0").decode("utf-8", "replace").removeprefix("stream: ")
        if answer == "OK":
            return Verdict(clean=True)
        if answer.endswith(" FOUND"):
            return Verdict(clean=False, finding=answer.removesuffix(" FOUND")[:200])
        raise ScannerUnavailable(f"clamd answered {answer!r}")  # e.g. "INSTREAM size limit exceeded. ERROR"


SCANNERS = {"clamd": lambda: ClamdScanner(settings.CLAMD_URL)}


def get_scanner():
    """Return the configured scanner, or None when scanning is switched off (DOCUMENT_SCANNER empty)."""
    return SCANNERS[settings.DOCUMENT_SCANNER]() if settings.DOCUMENT_SCANNER else None
