"""TCP port checks: is a port free for the broker, and pick free ones for tests."""

from __future__ import annotations

import errno
import socket

from edimesh.localbroker.defaults import HOST
from edimesh.localbroker.errors import BrokerError, PortInUseError


def port_is_free(port: int, host: str = HOST) -> bool:
    """Can a server bind host:port right now? SO_REUSEADDR as the JVM sets it, so sockets
    in TIME_WAIT do not count as taken, but any listener (also on 0.0.0.0) does."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise BrokerError(f"cannot check port {host}:{port}: {exc}") from exc
        return True


def ensure_ports_free(port: int, controller_port: int, host: str = HOST) -> None:
    """Raise PortInUseError naming the option to change, before the JVM finds out slowly."""
    for option, value in (("--port", port), ("--controller-port", controller_port)):
        if not port_is_free(value, host):
            raise PortInUseError(
                f"{host}:{value} is already in use by another process: stop it, or start the"
                f" broker with another {option}"
            )


def free_ports(count: int, host: str = HOST) -> list[int]:
    """`count` distinct ports the kernel just handed out (held together, so no duplicates)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
