#!/usr/bin/env python3
"""Writes a seed corpus for every fuzz target from the conformance suites.

Usage: seeds.py TESTDATA OUT

TESTDATA is ../shared/testdata (or $AWS_SESSION_TESTDATA); OUT gets one folder per target. The
corpus is a copy made for one run (scripts/fuzz.sh puts it in an untracked folder): test data is
never committed here. Each target's input format is described at the top of its source file; the
seeds below add the settings bytes a target expects in front of the suite files.

Seeds per target:
  profile_file      aws-c-auth's profile fuzz seeds; every configFile / credentialsFile of the
                    cross-SDK parser suites; the config and credentials files of the credential
                    chain cases; the assume-role suite's profiles written out as config text
  canonicalize      every SigV4 request (.req, request.txt), under a few setting pairs
  request_sign      the same requests, under a few settings bytes
  credentials_json  JSON response bodies of the credential chain's recorded traffic, cached SSO tokens
  sso_cache         cached SSO tokens, JSON response bodies
  sts_xml           XML response bodies of the recorded traffic
  ops_answers       every recorded response body (XML and JSON)
  error_xml         the same XML bodies, and the bodies of the XML error fixtures in
                    core/tests/fixtures/errors (ours), under a few flags bytes
  error_json        the recorded JSON bodies and the JSON error fixtures, likewise
  http_response     every recorded response as raw HTTP/1.1, framed by Content-Length, chunked
                    (with an extension and a trailer) and until close
  flash_record      profile records (written here; the suites have none)
  flash_store       those records as flash images, and store scripts
"""

import hashlib
import json
import os
import sys
from pathlib import Path


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    counts = {}

    def put(target, blob):
        if isinstance(blob, str):
            blob = blob.encode()
        d = out / target
        d.mkdir(parents=True, exist_ok=True)
        (d / hashlib.sha1(blob).hexdigest()).write_bytes(blob)
        counts[target] = counts.get(target, 0) + 1

    # --- profile files ---------------------------------------------------------------------
    parser = data / "profile-config-parser"
    for f in sorted((parser / "aws-c-auth").rglob("*")):
        if f.is_file() and f.name != "SOURCE.md":
            put("profile_file", f.read_bytes())
    for f in sorted(parser.rglob("*.json")):
        try:
            doc = json.loads(f.read_text())
        except ValueError:
            continue
        for text in strings_under(doc, {"configFile", "credentialsFile"}):
            put("profile_file", text)
        if f.name == "assume-role-tests.json":
            for case in doc:
                profiles = case.get("input", {}).get("profiles", {})
                lines = []
                for name, props in profiles.items():
                    lines.append("[default]" if name == "default" else f"[profile {name}]")
                    lines += [f"{k} = {v}" for k, v in props.items()]
                put("profile_file", "\n".join(lines) + "\n")

    chain = data / "credential-provider-chain"
    for f in sorted(chain.rglob("*")):
        if f.is_file() and f.name in ("config", "credentials"):
            put("profile_file", f.read_bytes())

    # --- SigV4 requests ----------------------------------------------------------------------
    sigv4 = data / "sigv4-test-suite"
    requests = [f.read_bytes() for f in sorted(sigv4.rglob("*.req"))]
    requests += [f.read_bytes() for f in sorted(sigv4.rglob("request.txt"))]
    for req in requests:
        for a, b in ((0, 0), (3, 1), (0x12, 2), (0x21, 4), (0x80, 0), (0x5F, 3)):
            put("canonicalize", bytes([a, b]) + req)
        for flags in (0x00, 0x41, 0x46, 0x53):
            put("request_sign", bytes([flags]) + req)

    # --- recorded responses ------------------------------------------------------------------
    responses = []
    for f in sorted(chain.rglob("http-traffic.json")):
        try:
            responses += recorded_responses(json.loads(f.read_text()))
        except ValueError:
            continue
    for status, headers, body in responses:
        text = body.decode(errors="replace").lstrip()
        if text.startswith(("{", "<")):
            put("ops_answers", body)
        if text.startswith("{"):
            put("credentials_json", body)
            put("sso_cache", body)
            put("error_json", b"\x10" + body)
        elif text.startswith("<"):
            put("sts_xml", body)
            put("error_xml", b"\x30" + body)
        for framing in ("length", "chunked", "close"):
            put("http_response", bytes([0, 24, 16, 7]) + http_response(status, headers, body, framing))
    for f in sorted(chain.rglob("*.json")):
        if "cache" in f.parts:
            put("sso_cache", f.read_bytes())
            put("credentials_json", f.read_bytes())

    # --- error fixtures (ours, in the repository) -------------------------------------------
    fixtures = Path(__file__).resolve().parent.parent / "core/tests/fixtures/errors"
    for f in sorted(fixtures.glob("*.http")):
        raw = f.read_bytes()
        head, _, body = raw.partition(b"\r\n\r\n")
        kind = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"x-amzn-errortype":
                kind = value.strip()
        target = "error_json" if body.lstrip().startswith(b"{") else "error_xml"
        for flags in (0x00, 0x31, 0x62, 0xA8):
            put(target, bytes([flags]) + body)
        if kind is not None:
            put(target, bytes([0x94]) + kind + b"\n" + body)

    # --- flash records (our own) -------------------------------------------------------------
    records = [
        '{"v":1}',
        '{"v":1,"region":"eu-west-1"}',
        '{"v":1,"region":"eu-west-1","aws_access_key_id":"AKIDEXAMPLE",'
        '"aws_secret_access_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}',
        '{"v":1,"role_arn":"arn:aws:iam::123456789012:role/r","source_profile":"base",'
        '"endpoint_url":"https://example.com","future_key":[1,{"x":null}]}',
        '{"v":2,"region":"eu-west-1"}',
    ]
    for r in records:
        put("flash_record", r)
        put("flash_store", b"\x00" + r.encode())
    for script in (b"\x08\x00\x04\x10\x03\x02\x07\x01\x05", b"\x0f\x00\x05\x00\x05\x00\x05\x00\x05"
                   b"\x00\x05\x00\x05\x00\x05\x00\x05\x20\x00\x01"):
        put("flash_store", b"\x01" + script)

    for target, n in sorted(counts.items()):
        print(f"{target}: {n} seeds")


def strings_under(doc, keys):
    """Every string value stored under one of `keys`, anywhere in a JSON document."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k in keys and isinstance(v, str):
                yield v
            else:
                yield from strings_under(v, keys)
    elif isinstance(doc, list):
        for v in doc:
            yield from strings_under(v, keys)


def recorded_responses(doc):
    """(status, [(name, value)], body) of each response in either recorded traffic format."""
    found = []
    if isinstance(doc, list):  # aws-sdk-kotlin: [{"request": …, "response": …}]
        for pair in doc:
            r = pair.get("response") or {}
            if "status" in r:
                headers = [(k, v) for k, v in (r.get("headers") or {}).items()]
                found.append((r["status"], headers, (r.get("body") or "").encode()))
        return found
    # smithy-rs: events per connection; a Response event, then Data events for its body.
    current = {}
    for event in doc.get("events", []):
        conn, action = event.get("connection_id"), event.get("action", {})
        if "Response" in action:
            ok = action["Response"].get("response", {}).get("Ok")
            if ok:
                headers = [(k, v) for k, vs in ok.get("headers", {}).items() for v in vs]
                current[conn] = [ok["status"], headers, b""]
                found.append(current[conn])
        elif "Data" in action and action["Data"].get("direction") == "Response":
            d = action["Data"].get("data", {})
            if conn in current:
                current[conn][2] += d.get("Utf8", "").encode()
    return [tuple(r) for r in found]


def http_response(status, headers, body, framing):
    """A raw HTTP/1.1 response with the given body framing."""
    head = [f"HTTP/1.1 {status} Status"]
    head += [f"{k}: {v}" for k, v in headers if k.lower() not in ("content-length", "transfer-encoding")]
    if framing == "length":
        head.append(f"Content-Length: {len(body)}")
        payload = body
    elif framing == "chunked":
        head.append("Transfer-Encoding: chunked")
        half = len(body) // 2
        payload = b""
        for i, part in enumerate((body[:half], body[half:])):
            if part:
                ext = ";name=value" if i == 0 else ""
                payload += f"{len(part):x}{ext}\r\n".encode() + part + b"\r\n"
        payload += b"0\r\nx-checksum: abc\r\n\r\n"
    else:
        head.append("Connection: close")
        payload = body
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload


if __name__ == "__main__":
    main()
