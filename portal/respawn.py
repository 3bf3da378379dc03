"""Run a command, and start it again whenever it exits: the supervisor of `make up`'s processes (Procfile), as
systemd's ``Restart=always`` or a Kubernetes liveness probe is in production.

Celery workers can die when the broker restarts (kombu 5.7.0, the latest release: "Unrecoverable error:
AttributeError('NoneType' object has no attribute 'hostname')" while closing a channel whose connection
dropped; kombu #582, #659, celery #9250), and honcho stops every process when one exits. Under this supervisor
the worker is back within seconds. SIGTERM or SIGINT stop the command and then the supervisor.

    python -m portal.respawn celery -A portal worker -Q routing
"""

import signal
import subprocess  # nosec B404  # it starts the operator's own Procfile commands
import sys
import time

PAUSE_SECONDS = 2.0  # between a start and the next, so that a command failing at once does not spin


def main(command: list[str]) -> int:
    """Run ``command`` until told to stop; return its last exit status (128 + the signal that ended it)."""
    state = {"stopping": False, "child": None}

    def stop(signum, frame):
        state["stopping"] = True
        if state["child"] is not None and state["child"].poll() is None:
            state["child"].send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        started = time.monotonic()
        state["child"] = subprocess.Popen(command)  # noqa: S603  # nosec B603  # the operator's own Procfile line
        code = state["child"].wait()
        if state["stopping"]:
            return 128 - code if code < 0 else code
        sys.stderr.write(f"respawn: {command[0]} exited with {code}; starting it again\n")
        sys.stderr.flush()
        time.sleep(max(0.0, PAUSE_SECONDS - (time.monotonic() - started)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
