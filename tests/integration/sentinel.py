"""A throwaway Redis with Sentinel on free ports: a primary, a replica and three sentinels (Debian's redis-server in
sentinel mode), never the machine's shared Redis. The primary can be SIGKILLed for the sentinels to fail it over."""

import signal
import time
from pathlib import Path

import redis

from .conftest import Server, free_port

MASTER = "portal-test"


def _answers(port: int) -> bool:
    try:
        return redis.Redis(port=port, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


class SentinelCluster:
    """Redis primary + replica + three sentinels watching them under ``MASTER`` (quorum 2, down after 1 s)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.ports = [free_port(), free_port()]
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.servers: dict[int, Server] = {}

    def start(self) -> "SentinelCluster":
        primary, replica = self.ports
        self._redis(primary)
        self._redis(replica, "--replicaof", "127.0.0.1", str(primary))
        for port in self.sentinel_ports:
            config = self.directory / f"sentinel-{port}.conf"
            config.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {self.directory}\n"
                f"sentinel monitor {MASTER} 127.0.0.1 {primary} 2\n"
                f"sentinel down-after-milliseconds {MASTER} 1000\n"
                f"sentinel failover-timeout {MASTER} 5000\n"
            )
            command = ["redis-server", str(config), "--sentinel"]
            self.servers[port] = Server(f"sentinel-{port}", command, url="", ready=lambda p=port: _answers(p)).start()
        self.wait_until(lambda: self.replica_in_sync() and self.sentinels_agree(), what="the replica and sentinels")
        return self

    def _redis(self, port: int, *args: str) -> None:
        command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", str(self.directory), *args]  # fmt: skip
        self.servers[port] = Server(f"redis-{port}", command, url="", ready=lambda: _answers(port)).start()

    @property
    def sentinels(self) -> str:
        """The REDIS_SENTINELS setting for this cluster."""
        return ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)

    def primary_port(self) -> int:
        """Return the primary's port as the sentinels name it now."""
        host, port = redis.Redis(port=self.sentinel_ports[0]).sentinel_get_master_addr_by_name(MASTER)
        return int(port)

    def replica_in_sync(self) -> bool:
        info = redis.Redis(port=self.primary_port()).info("replication")
        return info.get("connected_slaves", 0) >= 1 and info.get("slave0", {}).get("state") == "online"

    def sentinels_agree(self) -> bool:
        return all(
            redis.Redis(port=port).sentinel_master(MASTER).get("num-other-sentinels") == 2
            for port in self.sentinel_ports
        )

    def kill_primary(self) -> int:
        """SIGKILL the primary (as a node losing power would) and return its port."""
        port = self.primary_port()
        redis.Redis(port=port).wait(1, 2000)  # what was written has reached the replica
        process = self.servers[port].process
        process.send_signal(signal.SIGKILL)
        process.wait()
        return port

    def wait_until(self, predicate, *, what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if predicate():
                    return
            except redis.RedisError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")

    def stop(self) -> None:
        for server in self.servers.values():
            if server.process and server.process.poll() is None:
                server.process.kill()
                server.process.wait()
