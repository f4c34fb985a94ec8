"""Helpers for the API integration tests: start netmonsec (--demo or a replay) with the API on a free
loopback port, HTTP with http.client, raw sockets for malformed requests, and a minimal
WebSocket client (RFC 6455 client side: masked frames, no extensions)."""
import base64
import http.client
import json
import os
import signal
import socket
import struct
import subprocess
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_hash(nms, password):
    out = subprocess.run([nms, "passwd"], input=password + "\n", capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


class Daemon:
    def __init__(self, nms, tmp, config_text, extra_args=(), name="daemon", source=("--demo",)):
        """source: what to capture (default generated traffic; e.g. ("-r", PCAP, "--loop", "0"))."""
        self.port = free_port()
        self.tmp = tmp
        self.config = os.path.join(tmp, name + ".toml")
        with open(self.config, "w") as fh:
            fh.write(config_text)
        self.err_path = os.path.join(tmp, name + ".stderr")
        self.data_dir = os.path.join(tmp, name + "-data")
        args = [nms, *source, "-c", self.config, "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir,
                *extra_args]
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.err)

    def stderr(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as fh:
            return fh.read()

    def wait_ready(self, timeout=30):
        """Until /api/v1/health answers 200 (stats flowing)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("daemon exited: " + self.stderr()[-2000:])
            try:
                status, _, _ = self.request("GET", "/api/v1/health")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("daemon not ready: " + self.stderr()[-2000:])

    def request(self, method, path, body=None, headers=None, timeout=10):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, dict(r.getheaders()), data
        finally:
            c.close()

    def login(self, user, password):
        status, headers, data = self.request("POST", "/api/v1/auth/login",
                                             json.dumps({"username": user, "password": password}),
                                             {"Content-Type": "application/json"})
        return status, headers, (json.loads(data) if data else {})

    def raw(self, payload, timeout=5, until_close=False):
        """Sends raw bytes; returns what the server answered before closing (or timeout).
        until_close: read until the server closes (several pipelined answers may arrive in
        separate segments), instead of stopping after the first complete keep-alive answer."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(payload)
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                out += chunk
                if not until_close and b"\r\n\r\n" in out and b"Connection: close" not in out \
                        and b"connection: close" not in out:
                    # keep-alive answer: stop once the body is complete
                    head, _, body = out.partition(b"\r\n\r\n")
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:") and len(body) >= int(line.split(b":")[1]):
                            return out
            return out
        finally:
            s.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.err.close()
        return rc


# ---- WebSocket ------------------------------------------------------------------------------

def ws_connect(port, headers=None, rcvbuf=None, timeout=10):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET /api/v1/ws HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head else 0
    return s, status, bytearray(rest)


def ws_frame(payload, opcode=1):
    data = payload.encode() if isinstance(payload, str) else payload
    mask = os.urandom(4)
    n = len(data)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def ws_parse(buf):
    """(opcode, payload) of the first whole message in buf (consumed), or None. Fragmented
    messages (continuation frames) are joined."""
    opcode, payload, pos = None, b"", 0
    while True:
        fr = _frame_at(buf, pos)
        if fr is None:
            return None
        fin, op, data, pos = fr
        if opcode is None:
            opcode = op
        payload += data
        if fin:
            del buf[:pos]
            return opcode, payload


def _frame_at(buf, start):
    if len(buf) < start + 2:
        return None
    fin, opcode, n, pos = bool(buf[start] & 0x80), buf[start] & 0x0F, buf[start + 1] & 0x7F, start + 2
    if n == 126:
        if len(buf) < pos + 2:
            return None
        n, pos = struct.unpack("!H", bytes(buf[pos:pos + 2]))[0], pos + 2
    elif n == 127:
        if len(buf) < pos + 8:
            return None
        n, pos = struct.unpack("!Q", bytes(buf[pos:pos + 8]))[0], pos + 8
    if len(buf) < pos + n:
        return None
    return fin, opcode, bytes(buf[pos:pos + n]), pos + n
