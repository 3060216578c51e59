#!/usr/bin/env python3
"""A counting proxy in front of moto's STS, for the credential tests (tests/tests/e2e_credentials.rs).

    python3 sts_proxy.py UPSTREAM_URL      # listens on 127.0.0.1, an OS-chosen port

Prints `PORT <n>` on its first line once it listens, and exits when its stdin closes (the test
that started it ended). Stdlib only.

Every request is forwarded to UPSTREAM unchanged (method, path, headers including Host, body),
so moto checks the signature exactly as the client made it. Each request is logged:

    GET  /_proxy/log     -> JSON list of {"action", "params", "akid", "token": bool, "status",
                            "t": unix seconds (float), "expires": unix seconds (AssumeRole*),
                            "new_akid", "new_secret", "new_token": what an AssumeRole* answer
                            issued}
    POST /_proxy/config  <- JSON {"expire_in": N|null, "fail": {"Action": count, ...}}

`expire_in`: the `<Expiration>` of AssumeRole and AssumeRoleWithWebIdentity answers is rewritten to
now + N seconds (moto keeps the credentials valid; the client must refresh on its own).
`fail`: the next `count` requests of `Action` are answered by the proxy itself with HTTP 400
`ExpiredToken` (STS's XML error body), without reaching moto.
"""

import datetime
import http.client
import http.server
import json
import re
import sys
import threading
import time
import urllib.parse

from local_server import serve

UPSTREAM = urllib.parse.urlsplit(sys.argv[1])
LOCK = threading.Lock()
LOG = []
CONFIG = {"expire_in": None, "fail": {}}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}
EXPIRED = (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
    "<Code>ExpiredToken</Code><Message>The security token included in the request is expired"
    "</Message></Error><RequestId>e2e-proxy</RequestId></ErrorResponse>"
).encode()


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(s):
    s = s.strip().replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(s).timestamp()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="text/xml"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def control(self, body):
        if self.command == "GET" and self.path == "/_proxy/log":
            with LOCK:
                data = json.dumps(LOG).encode()
            return self.reply(200, data, "application/json")
        if self.command == "POST" and self.path == "/_proxy/config":
            with LOCK:
                CONFIG.update(json.loads(body or b"{}"))
            return self.reply(200, b"{}", "application/json")
        return self.reply(404, b"unknown control path", "text/plain")

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/_proxy/"):
            return self.control(body)
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        if "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
            params.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        auth = self.headers.get("Authorization") or ""
        akid = re.search(r"Credential=([^/]+)/", auth)
        entry = {
            "action": params.get("Action"),
            "params": params,
            "akid": akid.group(1) if akid else None,
            "token": "X-Amz-Security-Token" in self.headers,
            "t": time.time(),
        }
        with LOCK:
            fail = CONFIG["fail"].get(entry["action"], 0)
            if fail:
                CONFIG["fail"][entry["action"]] = fail - 1
            expire_in = CONFIG["expire_in"]
        if fail:
            entry["status"] = 400
            with LOCK:
                LOG.append(entry)
            return self.reply(400, EXPIRED)

        conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        entry["status"] = resp.status
        if entry["action"] in ("AssumeRole", "AssumeRoleWithWebIdentity") and resp.status == 200:
            text = data.decode()
            if expire_in is not None:
                text = re.sub(r"<Expiration>[^<]*</Expiration>",
                              f"<Expiration>{rfc3339(time.time() + expire_in)}</Expiration>", text)
                data = text.encode()
            exp = re.search(r"<Expiration>([^<]*)</Expiration>", text)
            key = re.search(r"<AccessKeyId>([^<]*)</AccessKeyId>", text)
            entry["expires"] = parse_time(exp.group(1)) if exp else None
            entry["new_akid"] = key.group(1) if key else None
            # What the secret checks of the tests look for in every other output.
            for field, name in (("SecretAccessKey", "new_secret"), ("SessionToken", "new_token")):
                found = re.search(f"<{field}>([^<]*)</{field}>", text)
                entry[name] = found.group(1) if found else None
        with LOCK:
            LOG.append(entry)
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


if __name__ == "__main__":
    serve(Handler)
