"""A TCP proxy on 127.0.0.1 in front of a real server, to make it go away or hang in tests.

    proxy = TCPProxy("127.0.0.1", 5432)     # forwards from proxy.port
    proxy.hang()      # connections stay open, nothing is forwarded any more, new ones get no answer
    proxy.down()      # every connection is closed and new ones are refused
    proxy.forward()   # back to normal (connections left from before are closed)
    proxy.close()
"""
from __future__ import annotations

import select
import socket
import threading


class TCPProxy:
    host = "127.0.0.1"

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.mode = "forward"
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._closed = False
        probe = socket.create_server((self.host, 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listen()

    # --- modes -----------------------------------------------------------------------------------

    def hang(self) -> None:
        self.mode = "hang"

    def down(self) -> None:
        self.mode = "down"
        self._stop_listening()
        self._drop_connections()

    def forward(self) -> None:
        self._drop_connections()
        self.mode = "forward"
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        self._closed = True
        self._stop_listening()
        self._drop_connections()

    # --- plumbing --------------------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _drop_connections(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _keep(self, *sockets: socket.socket) -> None:
        with self._lock:
            self._sockets.extend(sockets)

    def _accept(self, listener: socket.socket) -> None:
        while not self._closed and listener is self._listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.mode == "hang":
                self._keep(client)  # accepted, never answered
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            self._keep(client, upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        pair = {client: upstream, upstream: client}
        try:
            while not self._closed:
                if self.mode == "hang":
                    # Stop forwarding: what either side sends stays unanswered.
                    if select.select([], [], [client, upstream], 0.1)[2]:
                        return
                    if client.fileno() < 0 or upstream.fileno() < 0:
                        return
                    continue
                readable, _, _ = select.select(list(pair), [], [], 0.1)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    pair[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in pair:
                try:
                    sock.close()
                except OSError:
                    pass
