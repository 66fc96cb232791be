"""Whether the page can listen where it was asked to, checked before anything is loaded.

Why: `python -m ui --port N` on a busy port must end in one line and exit 2 (`qa.cli.run`),
not a traceback after the index was loaded. Not handled: a port taken between this check and
the server's start (the launch's own OSError is turned into the same error by `ui.app.launch`).
"""
from __future__ import annotations

import errno
import socket

from qa.errors import ArticlesQAError


class PortInUseError(ArticlesQAError, OSError):
    pass


def check_port(host: str, port: int) -> None:
    """PortInUseError with the fix when `port` on `host` cannot be bound."""
    if not isinstance(port, int) or not 1 <= port <= 65535:  # socket.bind raises OverflowError (issue 28)
        raise PortInUseError(f"--port {port} is not a port number; pass one from 1 to 65535")
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise PortInUseError(f"port {port} on {host} is in use; pass another --port, "
                                     f"or stop what is listening there") from None
            raise PortInUseError(f"cannot listen on {host}:{port} ({e.strerror or e}); "
                                 f"pass another --host or --port") from None
