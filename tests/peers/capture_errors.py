"""Captures real error answers from the local peers (moto, s3s-fs) as raw HTTP responses, for the
error fixtures of core/tests/fixtures/errors/ (decoded by core/tests/protocol_errors.rs).

    eval "$(scripts/peers.sh start)"; $PEERS_VENV/bin/python tests/peers/capture_errors.py OUTDIR

Each request is signed with botocore's SigV4 signer; the answer is written as
`status line, the headers worth keeping, blank line, body`. Run by hand when a peer changes.
"""
import os
import sys
import urllib.request

from botocore.auth import SigV4Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

KEEP = {"content-type", "date", "x-amzn-requestid", "x-amz-request-id", "x-amzn-errortype",
        "x-amzn-errormessage", "x-amz-id-2", "x-amz-bucket-region"}


def send(method, url, service, akid, secret, headers=None, body=b"", s3=False):
    req = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    (S3SigV4Auth if s3 else SigV4Auth)(Credentials(akid, secret), service, "us-east-1").add_auth(req)
    r = urllib.request.Request(url, data=body or None, method=method, headers=dict(req.headers))
    try:
        resp = urllib.request.urlopen(r)
    except urllib.error.HTTPError as e:
        resp = e
    data = resp.read()
    head = [f"HTTP/1.1 {resp.status} {resp.reason}"]
    head += [f"{k}: {v}" for k, v in resp.headers.items() if k.lower() in KEEP]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


def main(out):
    moto, s3s = os.environ["MOTO_ENDPOINT"], os.environ["S3S_ENDPOINT"]
    ak, sk = os.environ["MOTO_AKID"], os.environ["MOTO_SECRET"]
    s3ak, s3sk = os.environ["S3S_AKID"], os.environ["S3S_SECRET"]
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    cases = {
        "moto-sts-signature.http": send("POST", moto + "/", "sts", ak, "wrong" + sk[5:], form,
                                        b"Action=GetCallerIdentity&Version=2011-06-15"),
        "moto-sts-validation.http": send("POST", moto + "/", "sts", ak, sk, form,
                                         b"Action=AssumeRole&Version=2011-06-15&RoleSessionName=s"),
        "moto-dynamodb-missing-table.http": send(
            "POST", moto + "/", "dynamodb", ak, sk,
            {"X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0"},
            b'{"TableName":"no-such-table","Key":{"id":{"S":"1"}}}'),
        "moto-ec2-bad-instance.http": send("POST", moto + "/", "ec2", ak, sk, form,
                                           b"Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-00000000000000000"),
        "moto-lambda-missing-function.http": send("GET", moto + "/2015-03-31/functions/no-such-function",
                                                  "lambda", ak, sk),
        "moto-s3-no-such-bucket.http": send("GET", moto + "/no-such-bucket/key", "s3", ak, sk, s3=True),
        "s3s-no-such-bucket.http": send("GET", s3s + "/no-such-bucket/key", "s3", s3ak, s3sk, s3=True),
        "s3s-no-such-key.http": send("GET", s3s + "/" + os.environ["S3S_BUCKET"] + "/no-such-key",
                                     "s3", s3ak, s3sk, s3=True),
        "s3s-head-missing.http": send("HEAD", s3s + "/" + os.environ["S3S_BUCKET"] + "/no-such-key",
                                      "s3", s3ak, s3sk, s3=True),
    }
    os.makedirs(out, exist_ok=True)
    for name, raw in cases.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(raw)
        print(name, raw.split(b"\r\n", 1)[0].decode())


if __name__ == "__main__":
    main(sys.argv[1])
