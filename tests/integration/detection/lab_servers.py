#!/usr/bin/env python3
"""Small servers for the detection lab where Debian has no ready-made one.

  web  --bind IP --port N --root DIR [--cert C --key K]
       HTTP(S) server: GET serves DIR, POST/PUT read the whole body and discard it (the
       external host that users browse and that exfiltration uploads to); POST /login always
       fails (200 with "Login failed", as web apps answer) (target of the HTTP login brute force); GET /admin/ asks for HTTP basic auth and refuses
       every password (401).
  farm NETNS:PORT,PORT ...
       One process that listens on the given TCP ports inside many network namespaces (the
       workstations' SSH/SMB/RDP ports, targets of the lateral-movement fan). SSH greets with a
       banner, SMB/RDP answer each message with a short reply; connections are read until the
       peer closes (or 5 s idle) and closed.

Both stop on their own after --lifetime seconds, so a crashed test never leaves them behind.
"""
import argparse
import ctypes
import http.server
import os
import selectors
import socket
import socketserver
import ssl
import sys
import threading
import time

CLONE_NEWNET = 0x40000000


LOGIN_FORM = (b'<form method="post" action="/login"><input name="user"><input name="pass" type="password">'
              b'<input type="submit" value="Sign in"></form>')


class WebHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep the lab quiet
        pass

    def _page(self, html):
        body = b"<html><body>" + html + b"</body></html>\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/admin"):  # HTTP basic auth that no password opens
            body = b"<html><body>401 Unauthorized</body></html>\n"
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="corp admin"')
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path.startswith("/login"):
            self._page(LOGIN_FORM)
        else:
            super().do_GET()

    def _drain_body(self):
        remaining = int(self.headers.get("Content-Length") or 0)
        received = 0
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                while size:
                    chunk = self.rfile.read(min(size, 1 << 16))
                    if not chunk:
                        return received
                    size -= len(chunk)
                    received += len(chunk)
                self.rfile.readline()
            return received
        while remaining:
            chunk = self.rfile.read(min(remaining, 1 << 16))
            if not chunk:
                break
            remaining -= len(chunk)
            received += len(chunk)
        return received

    def _store(self):
        received = self._drain_body()
        if self.path.startswith("/login"):  # like most web apps: 200 and the form again
            self._page(b"<p>Login failed: invalid user or password</p>" + LOGIN_FORM)
            return
        body = f'{{"stored":{received}}}\n'.encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = _store
    do_PUT = _store


class ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def run_web(args):
    handler = lambda *a, **kw: WebHandler(*a, directory=args.root, **kw)  # noqa: E731
    server = ThreadingServer((args.bind, args.port), handler)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    time.sleep(args.lifetime)
    server.shutdown()


GREETINGS = {22: b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"}


def listen_in_netns(ns_name, ports):
    """Sockets belong to the namespace they were created in: enter it, create, come back."""
    libc = ctypes.CDLL(None, use_errno=True)
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{ns_name}", os.O_RDONLY)
    socks = []
    try:
        if libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns_name}")
        for port in ports:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
            s.listen(64)
            s.setblocking(False)
            socks.append((s, port))
    finally:
        libc.setns(own, CLONE_NEWNET)
        os.close(own)
        os.close(target)
    return socks


def run_farm(args):
    sel = selectors.DefaultSelector()
    for spec in args.specs:
        ns_name, ports = spec.split(":")
        for s, port in listen_in_netns(ns_name, [int(p) for p in ports.split(",")]):
            sel.register(s, selectors.EVENT_READ, ("listen", port))
    print("farm listening", flush=True)
    deadline = time.time() + args.lifetime
    open_conns = {}
    while time.time() < deadline:
        for key, _ in sel.select(timeout=0.5):
            kind, port = key.data
            if kind == "listen":
                try:
                    conn, _ = key.fileobj.accept()
                except OSError:
                    continue
                conn.setblocking(False)
                try:
                    conn.send(GREETINGS.get(port, b""))
                except OSError:
                    pass
                sel.register(conn, selectors.EVENT_READ, ("conn", port))
                open_conns[conn] = time.time()
            else:
                try:
                    data = key.fileobj.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                    open_conns.pop(key.fileobj, None)
                    key.fileobj.close()
                elif port != 22:
                    try:  # SMB and RDP answer the client's first message
                        key.fileobj.send(b"\x00\x00\x00\x04RPLY")
                    except OSError:
                        pass
        # Idle connections are closed after 5 s, like a service timing out a silent client.
        now = time.time()
        for conn, since in list(open_conns.items()):
            if now - since > 5:
                sel.unregister(conn)
                del open_conns[conn]
                conn.close()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("web")
    w.add_argument("--bind", required=True)
    w.add_argument("--port", type=int, required=True)
    w.add_argument("--root", required=True)
    w.add_argument("--cert")
    w.add_argument("--key")
    w.add_argument("--lifetime", type=float, default=900)
    f = sub.add_parser("farm")
    f.add_argument("specs", nargs="+", metavar="NETNS:PORT,PORT")
    f.add_argument("--lifetime", type=float, default=900)
    args = p.parse_args()
    (run_web if args.cmd == "web" else run_farm)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
