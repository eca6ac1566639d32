#!/usr/bin/python3
"""Writes the seed corpus of the frame-proxy fuzzer (tests/fuzz/corpus/frame_proxy/): scripts in
the format tests/fuzz/frame_proxy_script.h describes, one per shape of call the proxy handles and
one per way a peer misbehaves. Deterministic; run from anywhere."""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# Indexes into kPaths and kNames of frame_proxy_script.h.
HEALTH, DIRECTORY, WATCH, SANCTION, HEALTH_WATCH, REFLECTION, UNKNOWN = range(7)
STATUS, CONTENT_TYPE, TIMEOUT, GRPC_STATUS = 4, 5, 7, 8
AUTHORIZATION, PRINCIPAL = 11, 13
RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = 3, 4, 6, 7, 8


def headers(*pairs):
    """pairs of (name index, typical value index)."""
    return bytes([len(pairs)]) + b"".join(bytes([n, v]) for n, v in pairs)


def opening(path, *pairs, end_stream=False):
    return bytes([2 if end_stream else 0, path]) + headers(*pairs)


def raw_opening(data):
    return bytes([1, len(data)]) + data


def raw_frame(backend, type_, flags, stream, payload):
    return bytes([1 if backend else 0, type_, flags, stream]) + struct.pack(">H", len(payload)) + payload


def header_block(backend, stream, end_stream, *pairs):
    return bytes([3 if backend else 2, stream, 1 if end_stream else 0]) + headers(*pairs)


def message(backend, stream, body=b"", end_stream=False, compressed=False, lie=False):
    prefix = (1 if compressed else 0) | (2 if lie else 0)
    return bytes([5 if backend else 4, stream, 1 if end_stream else 0, prefix, len(body)]) + body


def run(ms=3):
    return bytes([6, ms])


def backend_closes():
    return bytes([7, 1])


def client_half_closes():
    return bytes([7, 0])


S1 = 1  # the stream-id byte for stream 1 (and the backend's first stream)
ANSWER = header_block(True, S1, False, (STATUS, 0), (CONTENT_TYPE, 0))
OK = header_block(True, S1, True, (GRPC_STATUS, 0))

SEEDS = {
    "health_check": opening(HEALTH) + message(False, S1, end_stream=True) + run(),
    "forwarded_unary": opening(DIRECTORY) + message(False, S1, b"\x08\x0a", end_stream=True)
    + run() + ANSWER + message(True, S1, b"\x0a\x00") + OK + run(),
    "server_streaming_backend_dies": opening(WATCH) + message(False, S1, end_stream=True) + run()
    + ANSWER + message(True, S1, b"\x0a\x01x") + message(True, S1, b"\x0a\x01y") + run(1)
    + backend_closes() + run(),
    "client_cancels": opening(DIRECTORY) + message(False, S1) + run()
    + raw_frame(False, RST_STREAM, 0, S1, b"\x00\x00\x00\x08") + run(),
    "backend_resets": opening(DIRECTORY) + message(False, S1, end_stream=True) + run()
    + raw_frame(True, RST_STREAM, 0, S1, b"\x00\x00\x00\x02") + run(),
    "backend_goaway": opening(DIRECTORY) + message(False, S1, end_stream=True) + run()
    + raw_frame(True, GOAWAY, 0, 0, b"\x00\x00\x00\x00\x00\x00\x00\x00") + run(),
    "refused_without_token": opening(SANCTION, (AUTHORIZATION, 0)) + message(False, S1, end_stream=True)
    + run(),
    "forged_identity": opening(DIRECTORY, (PRINCIPAL, 1)) + message(False, S1, end_stream=True)
    + run() + ANSWER + OK + run(),
    "deadline": opening(DIRECTORY, (TIMEOUT, 1)) + message(False, S1, end_stream=True) + run(3),
    "backend_silent_client_half_closes": opening(DIRECTORY) + client_half_closes() + run(3),
    "lying_message_length": opening(DIRECTORY) + message(False, S1, b"abc", end_stream=True, lie=True)
    + run(),
    "compressed_answer": opening(DIRECTORY) + message(False, S1, end_stream=True) + run() + ANSWER
    + message(True, S1, b"zz", compressed=True) + OK + run(),
    "zero_window_update": opening(DIRECTORY) + raw_frame(False, WINDOW_UPDATE, 0, S1, b"\x00" * 4)
    + run(),
    "ping_and_settings": opening(HEALTH) + raw_frame(False, PING, 0, 0, b"\x00" * 8)
    + raw_frame(False, SETTINGS, 0, 0, b"\x00\x04\x7f\xff\xff\xff") + run(),
    "health_watch": opening(HEALTH_WATCH, end_stream=True) + run(),
    "reflection": opening(REFLECTION) + message(False, S1, b"\x3a\x00", end_stream=True) + run(),
    "unknown_method": opening(UNKNOWN, end_stream=True) + run(),
    "http1_instead": raw_opening(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") + run(),
}

folder = os.path.join(HERE, "corpus", "frame_proxy")
shutil.rmtree(folder, ignore_errors=True)
os.makedirs(folder)
for name, data in SEEDS.items():
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
print(len(SEEDS), "seeds written under", folder)
