"""A TCP relay in front of a server (Redis, PostgreSQL) that a test can cut, freeze and restore.

cut(): every open connection is shut and new ones are refused at once, as when the server is down.
freeze(): connections are accepted and bytes are taken, but nothing is passed on either way, as when
the server or the network stops answering mid-conversation.
restore(): back to passing everything (bytes held while frozen are passed on).
"""

import contextlib
import socket
import threading


class Relay:
    def __init__(self, port, host="127.0.0.1"):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.state = "open"
        self.flowing = threading.Event()
        self.flowing.set()
        self.sockets, self.lock = [], threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if self.state == "cut":
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                self.flowing.wait()
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            end.close()

    def cut(self):
        self.state = "cut"
        self.flowing.set()
        with self.lock:
            for end in self.sockets:
                with contextlib.suppress(OSError):  # already closed by its other end
                    end.shutdown(socket.SHUT_RDWR)
            self.sockets = []

    def freeze(self):
        self.state = "frozen"
        self.flowing.clear()

    def restore(self):
        self.state = "open"
        self.flowing.set()

    def close(self):
        self.cut()
        self.listener.close()
