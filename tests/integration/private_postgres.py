"""A PostgreSQL cluster of a test's own (initdb in a temporary folder, a free port), to stop and restart under load:
never the machine's shared server, which other test runs use."""

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import unavailable

from .conftest import free_port

BIN = Path("/usr/lib/postgresql/15/bin")


class PrivatePostgres:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data, self.port = self.folder / "data", free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def _as_postgres(self, *command: str) -> None:
        # initdb and postgres refuse to run as root: as root, run them as the postgres user, in a folder it owns.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def create(self) -> "PrivatePostgres":
        if not (BIN / "initdb").exists():
            unavailable(f"a private PostgreSQL needs its server programs in {BIN} (Debian: postgresql-15)")
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._as_postgres(str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        subprocess.run(["psql", f"postgres://postgres@127.0.0.1:{self.port}/postgres", "-qc", "CREATE DATABASE portal"],
                       check=True, capture_output=True, timeout=60)  # fmt: skip
        return self

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(str(BIN / "pg_ctl"), action, "-D", str(self.data), "-o", options, "-l", "/dev/null",
                          "-w", *extra)  # fmt: skip

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        """Stop at once, ending every connection (``-m fast``: what a crash or a restart does to the clients)."""
        self._ctl("stop", "-m", "fast")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
