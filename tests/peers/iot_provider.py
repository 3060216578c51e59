"""The AWS IoT credentials provider as a local test peer: HTTPS with mutual TLS on 127.0.0.1.

    python iot_provider.py DIR CREDENTIALS_JSON

Writes into DIR a test PKI made for this run (`cryptography`, from the peers venv): `ca.pem`
(the server's CA: trust it with `ca_bundle`), `device.pem` and `device.key` (a P-256 device
certificate and key from a device CA), and `stranger.pem` / `stranger.key` (the same from another
CA, which the server refuses). Serves, with client certificates from the device CA required,
`GET /role-aliases/device-role/credentials` with an `x-amzn-iot-thingname` header: 200 and
`{"credentials": {...}}` in AWS's shape, the keys taken from CREDENTIALS_JSON (the
`credential_process` Version 1 JSON). Anything else: 403 with AWS's error body. Prints
`PORT <n>` when it listens, logs each request line to stderr, and exits when stdin closes.
"""

import datetime
import http.server
import ipaddress
import json
import os
import ssl
import sys
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def certificate(subject, key, issuer, issuer_key, ca, sans=()):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write(directory, file, data):
    with open(os.path.join(directory, file), "wb") as f:
        f.write(data)


def pki(directory):
    """Writes the PKI; returns the server's (certificate, key) and the device CA's certificate."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate("e2e IoT server CA", ca_key, "e2e IoT server CA", ca_key, True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = certificate(
        "127.0.0.1",
        server_key,
        "e2e IoT server CA",
        ca_key,
        False,
        [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )
    write(directory, "ca.pem", pem(ca))
    for prefix, ca_name in (("device", "e2e device CA"), ("stranger", "another device CA")):
        issuer_key = ec.generate_private_key(ec.SECP256R1())
        issuer = certificate(ca_name, issuer_key, ca_name, issuer_key, True)
        device_key = ec.generate_private_key(ec.SECP256R1())
        device = certificate("device-7", device_key, ca_name, issuer_key, False)
        write(directory, prefix + ".pem", pem(device))
        write(directory, prefix + ".key", key_pem(device_key))
        if prefix == "device":
            write(directory, "device-ca.pem", pem(issuer))
    write(directory, "server.pem", pem(server))
    write(directory, "server.key", key_pem(server_key))


def main():
    directory, given = sys.argv[1], json.loads(sys.argv[2])
    pki(directory)
    answer = json.dumps(
        {
            "credentials": {
                "accessKeyId": given["AccessKeyId"],
                "secretAccessKey": given["SecretAccessKey"],
                "sessionToken": given["SessionToken"],
                "expiration": given["Expiration"],
            }
        }
    ).encode()
    refused = b'{"message":"Access Denied","code":"403"}'

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            wanted = self.path == "/role-aliases/device-role/credentials" and self.headers.get(
                "x-amzn-iot-thingname"
            ) == "device-7" and "authorization" not in (k.lower() for k in self.headers.keys())
            body = answer if wanted else refused
            self.send_response(200 if wanted else 403)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            sys.stderr.write("iot_provider: " + (fmt % args) + "\n")

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(
        os.path.join(directory, "server.pem"), os.path.join(directory, "server.key")
    )
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(os.path.join(directory, "device-ca.pem"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("PORT", server.server_address[1], flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
