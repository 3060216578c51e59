#!/usr/bin/env python3
"""EC2 instance metadata (IMDSv2) and the ECS/EKS container credentials endpoint on 127.0.0.1, as
AWS documents them, with faults chosen per run (tests/tests/e2e_credentials.rs). Stdlib only.

    python3 imds.py [FAULT...]    # prints `PORT <n>` once it listens; exits when stdin closes

IMDS (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html):
  PUT /latest/api/token with `X-aws-ec2-metadata-token-ttl-seconds: 1..21600` -> a token (text);
      without a valid TTL -> 400.
  GET /latest/meta-data/iam/security-credentials/        -> the role name(s), one a line
  GET /latest/meta-data/iam/security-credentials/ROLE    -> {"Code": "Success", "LastUpdated",
      "Type": "AWS-HMAC", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}; unknown -> 404
  A GET with an unknown token -> 401; without one -> 401 with --v2-only (HttpTokens=required),
  else answered (IMDSv1).
Container (AWS_CONTAINER_CREDENTIALS_FULL_URI = http://127.0.0.1:PORT/container/creds):
  GET /container/... -> {"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "RoleArn"};
  with --container-token T, an `Authorization` other than T -> 403 {"code", "message"}.

Faults:
  --token-status N     the token PUT answers HTTP N
  --token-hang         the token PUT never answers (the connection stays open)
  --v2-only            GETs need a token
  --no-role            the role list is empty (HTTP 200, no lines)
  --malformed          the role credentials are not JSON
  --creds-500-once     the first GET of the role credentials answers 500
  --container-token T  the Authorization value the container endpoint wants

  GET /_imds/log -> JSON list of {"method", "path", "token": bool, "ttl", "authorization"}
"""

import datetime
import http.server
import json
import secrets
import sys
import threading
import time

from local_server import serve

ARGS = sys.argv[1:]
ROLE = "aws-session-e2e-instance-role"
LOCK = threading.Lock()
LOG = []
TOKENS = set()
STATE = {"creds_500": "--creds-500-once" in ARGS}
CREDS = {
    "imds": ("ASIAIMDSE2E000000001", "imdsSecretE2E/0000000000000000000000000001",
             "imdsSessionTokenE2E000000000000000000000000000001"),
    "container": ("ASIACONTAINERE2E0001", "containerSecretE2E/00000000000000000000001",
                  "containerSessionTokenE2E0000000000000000000000001"),
}


def arg_value(name):
    return ARGS[ARGS.index(name) + 1] if name in ARGS else None


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def credentials(kind):
    key, secret, token = CREDS[kind]
    body = {"AccessKeyId": key, "SecretAccessKey": secret, "Token": token,
            "Expiration": rfc3339(time.time() + 3600)}
    if kind == "imds":
        body = {"Code": "Success", "LastUpdated": rfc3339(time.time()), "Type": "AWS-HMAC", **body}
    else:
        body["RoleArn"] = "arn:aws:iam::123456789012:role/aws-session-e2e-task-role"
    return json.dumps(body).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path == "/_imds/log":
            with LOCK:
                return self.reply(200, json.dumps(LOG).encode(), "application/json")
        with LOCK:
            LOG.append({
                "method": self.command,
                "path": self.path,
                "token": "X-aws-ec2-metadata-token" in self.headers,
                "ttl": self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"),
                "authorization": self.headers.get("Authorization"),
            })
        if self.path.startswith("/container/"):
            return self.container()
        if self.path == "/latest/api/token":
            return self.token()
        token = self.headers.get("X-aws-ec2-metadata-token")
        if token is not None and token not in TOKENS:
            return self.reply(401)
        if token is None and "--v2-only" in ARGS:
            return self.reply(401)
        base = "/latest/meta-data/iam/security-credentials/"
        if self.command != "GET" or not self.path.startswith(base):
            return self.reply(404)
        role = self.path[len(base):]
        if role == "":
            return self.reply(200, b"" if "--no-role" in ARGS else ROLE.encode())
        if role != ROLE:
            return self.reply(404)
        with LOCK:
            fail, STATE["creds_500"] = STATE["creds_500"], False
        if fail:
            return self.reply(500, b"internal error")
        if "--malformed" in ARGS:
            return self.reply(200, b'{"Code": "Success", "AccessKeyId": ', "application/json")
        return self.reply(200, credentials("imds"), "application/json")

    def token(self):
        if self.command != "PUT":
            return self.reply(405)
        if "--token-hang" in ARGS:
            time.sleep(3600)
            return None
        status = arg_value("--token-status")
        if status:
            return self.reply(int(status))
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds") or ""
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.reply(400)
        token = secrets.token_urlsafe(32)
        with LOCK:
            TOKENS.add(token)
        self.send_response(200)
        self.send_header("X-aws-ec2-metadata-token-ttl-seconds", ttl)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(token)))
        self.end_headers()
        self.wfile.write(token.encode())
        return None

    def container(self):
        want = arg_value("--container-token")
        if want is not None and self.headers.get("Authorization") != want:
            body = json.dumps({"code": "AccessDenied", "message": "wrong authorization token"})
            return self.reply(403, body.encode(), "application/json")
        return self.reply(200, credentials("container"), "application/json")

    do_GET = do_PUT = do_POST = handle_any


if __name__ == "__main__":
    serve(Handler)
