"""What the local test servers of this folder share: a threaded HTTP server on 127.0.0.1 with an
OS-chosen port, announced as `PORT <n>` on stdout, that exits when its stdin closes (the test that
started it ended). Stdlib only."""

import http.server
import os
import sys
import threading


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that hangs up (a timeout, a killed process) is not worth a traceback."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def exit_with_parent():
    """Ends this server when the test that started it closes our stdin (or dies)."""
    sys.stdin.read()
    os._exit(0)


def serve(handler):
    """Serves `handler` until stdin closes."""
    threading.Thread(target=exit_with_parent, daemon=True).start()
    server = Server(("127.0.0.1", 0), handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()
