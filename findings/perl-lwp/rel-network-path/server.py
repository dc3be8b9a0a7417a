#!/usr/bin/env python3
"""Stand-alone reproduction server written by redirspec (python3 standard library only).

Listens on 127.0.0.1:$A_PORT and :$B_PORT (http) and :$FTP_PORT (an FTP-ish listener that only
records connections), answers requests with the scripted responses below by arrival order
(or by path when "routes" is not empty), and prints one line per request. Stops by itself
after 100 requests or 60 seconds.
"""
import json, os, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCENARIO = json.loads(r'''{
  "name": "rel-network-path",
  "repeat_last": false,
  "responses": [
    {
      "headers": [],
      "locations": [
        "//{B_AUTH}/n/g"
      ],
      "status": 302
    },
    {
      "headers": [],
      "locations": [],
      "status": 200
    }
  ],
  "routes": []
}''')
A = int(os.environ.get("A_PORT", "18471"))
B = int(os.environ.get("B_PORT", "18472"))
F = int(os.environ.get("FTP_PORT", "18473"))
lock = threading.Lock()
count = [0]

def expand(v):
    for k, x in (("{A_AUTH}", "127.0.0.1:%d" % A), ("{B_AUTH}", "127.0.0.1:%d" % B),
                 ("{L_AUTH}", "localhost:%d" % A), ("{A}", "http://127.0.0.1:%d" % A),
                 ("{B}", "http://127.0.0.1:%d" % B), ("{L}", "http://localhost:%d" % A),
                 ("@FTP@", "ftp://127.0.0.1:%d" % F)):
        v = v.replace(k, x)
    return v

def scripted(index, path):
    if SCENARIO["routes"]:
        for p, r in SCENARIO["routes"]:
            if p == path.split("?")[0]:
                return r
        return {"status": 404, "locations": [], "headers": []}
    rs = SCENARIO["responses"]
    if index < len(rs):
        return rs[index]
    if SCENARIO["repeat_last"] and rs:
        return rs[-1]
    return {"status": 200, "locations": [], "headers": []}

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with lock:
            index = count[0]
            count[0] += 1
        creds = " ".join("%s=%s" % (h.lower(), "SENT" if self.headers.get(h) else "-")
                         for h in ("Authorization", "Cookie", "Proxy-Authorization", "Content-Type"))
        print("request %d: %s http://%s%s %s body=%d bytes" % (
            index, self.command, self.headers.get("Host", "?"), self.path, creds, len(body)), flush=True)
        r = scripted(index, self.path)
        self.send_response_only(r["status"])
        for loc in r["locations"]:
            self.send_header("Location", expand(loc))
        for k, v in r["headers"]:
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()
        if count[0] >= 100:
            threading.Thread(target=stop).start()
    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = handle_any

def ftp():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", F)); s.listen(8); s.settimeout(0.5)
    answers = {b"USER": b"331 any password", b"PASS": b"230 logged in", b"SYST": b"215 UNIX Type: L8",
               b"PWD": b'257 "/"', b"TYPE": b"200 ok", b"QUIT": b"221 bye"}
    while True:
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        c.settimeout(2)
        c.sendall(b"220 redirspec reproduction: nothing to see\r\n")
        f = c.makefile("rb")
        first = None
        for _ in range(16):
            try:
                line = f.readline(512)
            except OSError:
                break
            if not line:
                break
            verb = (line.split() or [b""])[0].upper()
            first = first or line.strip().decode("latin-1")
            c.sendall(answers.get(verb, b"550 No such file or directory") + b"\r\n")
            if verb == b"QUIT":
                break
        c.close()
        print("ftp connection to 127.0.0.1:%d: the client followed the ftp: Location (first command %r)" % (F, first), flush=True)

servers = []
def stop():
    for s in servers:
        s.shutdown()

for port in (A, B):
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    servers.append(srv)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
threading.Thread(target=ftp, daemon=True).start()
threading.Timer(60, stop).start()
print("ready on 127.0.0.1:%d and :%d (ftp :%d), scenario %s" % (A, B, F, SCENARIO["name"]), flush=True)
for t in threading.enumerate():
    if t is not threading.current_thread() and not t.daemon:
        t.join()
os._exit(0)
