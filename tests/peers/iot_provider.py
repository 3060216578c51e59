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

It also plays AWS IoT Core's HTTPS publishing on the same server (client certificate required):
`POST /topics/TOPIC?qos=0|1` without an `Authorization` header answers 200 with IoT Core's
`{"message":"OK","traceId":...}` and logs `iot_provider: published TOPIC qos=N (LEN bytes, ALPN
PROTOCOL)` to stderr.

Options, after the two arguments (for the device run under QEMU, scripts/qemu-full.sh):

    --host ADDR          listen on ADDR (default 127.0.0.1); the server certificate names it
    --port N             listen on port N (default: one the OS chooses)
    --rsa                an AWS-shaped server chain: RSA-2048 root, RSA-2048 intermediate and
                         leaf (basicConstraints, keyUsage, serverAuth), the leaf and intermediate
                         sent (without it: a P-256 CA and leaf)
    --front PORT:UPSTREAM_PORT
                         also listen on ADDR:PORT with the same server certificate (no client
                         certificate asked) and pass every connection's bytes, unchanged, to
                         127.0.0.1:UPSTREAM_PORT (HTTPS in front of moto)
    --iot-core PORT:UPSTREAM_PORT
                         also listen on ADDR:PORT as IoT Core's port 443 does: a connection that
                         offers the ALPN protocol `x-amzn-http-ca` must present a client
                         certificate from the device CA and is served here (publishing); any
                         other is passed, unchanged, to 127.0.0.1:UPSTREAM_PORT (moto, which
                         checks SigV4)

The PKI also has `ca.der`, the server's CA in DER (what the firmware loads as its trust anchor).
"""

import argparse
import datetime
import http.server
import ipaddress
import json
import os
import socket
import ssl
import sys
import threading
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def certificate(subject, key, issuer, issuer_key, ca, sans=(), aws_shaped=False):
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
    if aws_shaped:
        # The key usages AWS's certificates carry.
        usage = dict.fromkeys(
            ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"),
            False,
        )
        if ca:
            usage.update(digital_signature=True, key_cert_sign=True, crl_sign=True)
        else:
            usage.update(digital_signature=True, key_encipherment=True)
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
        builder = builder.add_extension(x509.KeyUsage(**usage), critical=True)
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


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pki(directory, host, aws_shaped):
    """Writes the PKI: the server's CA, chain and key, and the device identities."""
    san = [x509.IPAddress(ipaddress.ip_address(host))]
    if aws_shaped:
        root_key, middle_key, server_key = rsa_key(), rsa_key(), rsa_key()
        root = certificate("e2e Root CA", root_key, "e2e Root CA", root_key, True, aws_shaped=True)
        middle = certificate("e2e RSA 2048 M01", middle_key, "e2e Root CA", root_key, True,
                             aws_shaped=True)
        server = certificate(host, server_key, "e2e RSA 2048 M01", middle_key, False, san,
                             aws_shaped=True)
        chain = [server, middle]
        ca = root
    else:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = certificate("e2e IoT server CA", ca_key, "e2e IoT server CA", ca_key, True)
        server_key = ec.generate_private_key(ec.SECP256R1())
        chain = [certificate(host, server_key, "e2e IoT server CA", ca_key, False, san)]
    write(directory, "ca.pem", pem(ca))
    write(directory, "ca.der", ca.public_bytes(serialization.Encoding.DER))
    for prefix, ca_name in (("device", "e2e device CA"), ("stranger", "another device CA")):
        issuer_key = ec.generate_private_key(ec.SECP256R1())
        issuer = certificate(ca_name, issuer_key, ca_name, issuer_key, True)
        device_key = ec.generate_private_key(ec.SECP256R1())
        device = certificate("device-7", device_key, ca_name, issuer_key, False)
        write(directory, prefix + ".pem", pem(device))
        write(directory, prefix + ".key", key_pem(device_key))
        if prefix == "device":
            write(directory, "device-ca.pem", pem(issuer))
    write(directory, "server.pem", b"".join(pem(c) for c in chain))
    write(directory, "server.key", key_pem(server_key))


def front(context, host, port, upstream_port, local=None):
    """Serves TLS on host:port and passes each connection's bytes to 127.0.0.1:upstream_port;
    with `local`, a connection that negotiated the ALPN protocol `x-amzn-http-ca` is handed to
    `local(tls, address)` instead, if it presented a client certificate (else it is closed)."""
    listener = socket.create_server((host, port))

    def pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def serve(client, address):
        try:
            tls = context.wrap_socket(client, server_side=True)
        except (OSError, ssl.SSLError) as e:
            sys.stderr.write(f"iot_provider: front: handshake failed: {e}\n")
            client.close()
            return
        if local is not None and tls.selected_alpn_protocol() == ALPN_IOT:
            if tls.getpeercert() is None:
                sys.stderr.write("iot_provider: front: x-amzn-http-ca without a certificate\n")
                tls.close()
                return
            local(tls, address)
            return
        upstream = socket.create_connection(("127.0.0.1", upstream_port))
        threading.Thread(target=pipe, args=(upstream, tls), daemon=True).start()
        pipe(tls, upstream)

    def accept():
        while True:
            client, address = listener.accept()
            threading.Thread(target=serve, args=(client, address), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()


ALPN_IOT = "x-amzn-http-ca"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("credentials")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rsa", action="store_true")
    parser.add_argument("--front")
    parser.add_argument("--iot-core")
    args = parser.parse_args()
    directory, given = args.directory, json.loads(args.credentials)
    pki(directory, args.host, args.rsa)
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

        def do_POST(self):
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length", "0"))
            payload = self.rfile.read(length)
            unsigned = "authorization" not in (k.lower() for k in self.headers.keys())
            qos = dict(p.partition("=")[::2] for p in query.split("&") if p).get("qos")
            if path.startswith("/topics/") and unsigned and qos in ("0", "1"):
                topic = urllib.parse.unquote(path[len("/topics/"):])
                alpn = self.connection.selected_alpn_protocol() or "none"
                sys.stderr.write(
                    f"iot_provider: published {topic} qos={qos} ({len(payload)} bytes, ALPN {alpn})\n"
                )
                body = json.dumps({"message": "OK", "traceId": os.urandom(8).hex()}).encode()
                self.send_response(200)
            else:
                body = refused
                self.send_response(403)
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
    server = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    if args.front:
        port, upstream = (int(p) for p in args.front.split(":"))
        plain = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        plain.load_cert_chain(
            os.path.join(directory, "server.pem"), os.path.join(directory, "server.key")
        )
        front(plain, args.host, port, upstream)
    if args.iot_core:
        port, upstream = (int(p) for p in args.iot_core.split(":"))
        core = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        core.load_cert_chain(
            os.path.join(directory, "server.pem"), os.path.join(directory, "server.key")
        )
        core.verify_mode = ssl.CERT_OPTIONAL
        core.load_verify_locations(os.path.join(directory, "device-ca.pem"))
        core.set_alpn_protocols([ALPN_IOT])
        front(core, args.host, port, upstream, lambda tls, address: Handler(tls, address, server))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("PORT", server.server_address[1], flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
