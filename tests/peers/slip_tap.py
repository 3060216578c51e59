#!/usr/bin/env python3
"""Joins a QEMU serial port to a TAP device: the firmware's Ethernet frames, SLIP-framed (RFC 1055).

    python3 slip_tap.py SOCKET TAP

Listens on the Unix socket SOCKET (QEMU connects to it: `-chardev socket,id=link,path=SOCKET
-serial chardev:link`), prints `READY` once it listens, then passes frames both ways until QEMU
hangs up: each SLIP packet from the serial line is written to the TAP device TAP (which must
exist: `ip tuntap add dev TAP mode tap`), and each frame read from TAP is sent SLIP-encoded.
Stdlib only; Linux only (TUNSETIFF).
"""

import fcntl
import os
import select
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000

END, ESC, ESC_END, ESC_ESC = 0xC0, 0xDB, 0xDC, 0xDD


def encode(frame):
    body = frame.replace(bytes([ESC]), bytes([ESC, ESC_ESC])).replace(
        bytes([END]), bytes([ESC, ESC_END])
    )
    return bytes([END]) + body + bytes([END])


class Decoder:
    """Cuts the serial byte stream into packets."""

    def __init__(self):
        self.packet = bytearray()
        self.escaped = False

    def feed(self, data):
        for b in data:
            if self.escaped:
                self.escaped = False
                self.packet.append({ESC_END: END, ESC_ESC: ESC}.get(b, b))
            elif b == ESC:
                self.escaped = True
            elif b == END:
                if self.packet:
                    yield bytes(self.packet)
                self.packet.clear()
            else:
                self.packet.append(b)


def main():
    path, name = sys.argv[1], sys.argv[2]
    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    listener.bind(path)
    listener.listen(1)
    print("READY", flush=True)
    serial, _ = listener.accept()
    decoder = Decoder()
    frames = [0, 0]
    while True:
        readable, _, _ = select.select([tap, serial], [], [])
        if tap in readable:
            serial.sendall(encode(os.read(tap, 65536)))
            frames[1] += 1
        if serial in readable:
            try:
                data = serial.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data:  # QEMU exited
                break
            for packet in decoder.feed(data):
                try:
                    os.write(tap, packet)
                    frames[0] += 1
                except OSError as e:  # a frame the kernel refuses is dropped, as a wire would
                    sys.stderr.write(f"slip_tap: dropped a {len(packet)}-byte frame: {e}\n")
    sys.stderr.write(f"slip_tap: {frames[0]} frames from the device, {frames[1]} to it\n")


if __name__ == "__main__":
    main()
