#!/usr/bin/env python3
"""SigV4a differential peer: signs requests with botocore's CRT signers (aws-c-auth via awscrt).

Reads one JSON array of requests on stdin and writes one JSON array of results on stdout, in
the same order. Used by tests/tests/e2e_crt_sigv4a.rs; runs with the peers venv's python
(scripts/peers.sh install puts botocore and awscrt there).

A request:
  {"method": "GET", "url": "http://host/path?query", "headers": [["Name", "value"], ...],
   "body": "text", "service": "s3", "region_set": "*", "time": 1440938160,
   "access_key_id": "...", "secret": "...", "session_token": null | "...",
   "s3": true | false,              # botocore's S3 classes (single encoding, no normalization)
   "unsigned_payload": false,       # header form: sign UNSIGNED-PAYLOAD (needs an https url)
   "presign_expires": null | 900,   # null: header form; else a presigned URL
   "rewrite_query": false,          # presigned: let botocore re-serialize the query (see below)
   "skip_headers": null | [...]}    # lower-case names left unsigned, instead of botocore's list

A result: {"headers": [[name, value], ...] after signing, "url": the signed URL,
           "sent_query": the query botocore handed to the CRT} or {"error": "..."}.

The signing time is pinned by replacing botocore.crt.auth.get_current_datetime.

botocore's presigning classes re-serialize the query before signing (parse_qs into a dict, then
percent_encode_sequence): they keep one value per key and re-encode. With "rewrite_query" false
this step is skipped, so that the CRT signs the query exactly as given (repeated keys included);
everything else is botocore's.
"""

import datetime
import json
import sys

import awscrt  # noqa: F401  (fail early and clearly when awscrt is missing)
import botocore.auth  # noqa: F401  (before botocore.crt.auth: they import each other)
import botocore.crt.auth as crt_auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders, urlsplit
from botocore.credentials import Credentials

_fixed_time = [None]


def _now(remove_tzinfo=True):
    t = _fixed_time[0]
    return t.replace(tzinfo=None) if remove_tzinfo else t


crt_auth.get_current_datetime = _now


def _keep_query(base):
    """A presigning class that does not re-serialize the query (repeated keys survive)."""

    class KeepQuery(base):
        def _modify_request_before_signing(self, request):
            crt_auth.CrtSigV4AsymAuth._modify_request_before_signing(self, request)

    return KeepQuery


class _S3Config:
    def __init__(self, sign_payload):
        self.s3 = {"payload_signing_enabled": sign_payload}


def signer_class(r):
    s3 = r.get("s3", False)
    if r.get("presign_expires") is None:
        return crt_auth.CrtS3SigV4AsymAuth if s3 else crt_auth.CrtSigV4AsymAuth
    base = crt_auth.CrtS3SigV4AsymQueryAuth if s3 else crt_auth.CrtSigV4AsymQueryAuth
    return base if r.get("rewrite_query", False) else _keep_query(base)


def with_skip_list(cls, skip):
    """The class, leaving exactly the names in `skip` unsigned when a list is given (botocore's
    own list also skips baggage, keep-alive, proxy-*, te, trace*, trailer and upgrade)."""
    if skip is None:
        return cls
    skip = frozenset(skip)

    class Skip(cls):
        def _should_sign_header(self, name, **kwargs):
            return name.lower() not in skip

    return Skip


def sign(r):
    _fixed_time[0] = datetime.datetime.fromtimestamp(r["time"], datetime.timezone.utc)
    creds = Credentials(r["access_key_id"], r["secret"], r.get("session_token"))
    cls = with_skip_list(signer_class(r), r.get("skip_headers"))
    if r.get("presign_expires") is None:
        signer = cls(creds, r["service"], r["region_set"])
    else:
        signer = cls(creds, r["service"], r["region_set"], expires=r["presign_expires"])
    body = r.get("body", "").encode("utf-8")
    request = AWSRequest(method=r["method"], url=r["url"], data=body)
    request.headers = HTTPHeaders.from_pairs([tuple(h) for h in r["headers"]])
    if r.get("unsigned_payload", False):
        if r.get("s3", False):
            request.context["client_config"] = _S3Config(False)
        else:
            request.context["payload_signing_enabled"] = False

    sent = {}
    original = signer._crt_request_from_aws_request

    def capture(aws_request):
        sent["query"] = urlsplit(aws_request.url).query
        return original(aws_request)

    signer._crt_request_from_aws_request = capture
    signer.add_auth(request)
    return {
        "headers": [[k, v] for k, v in request.headers.items()],
        "url": request.url,
        "sent_query": sent.get("query", ""),
    }


def main():
    requests = json.load(sys.stdin)
    results = []
    for r in requests:
        try:
            results.append(sign(r))
        except Exception as e:  # reported per request; the Rust side shows it with the request
            results.append({"error": f"{type(e).__name__}: {e}"})
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
