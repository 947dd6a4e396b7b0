"""A remote-controlled WebSocket peer built on Debian's python3-websockets.

Used by tests/websocket/interop_python_test.ts as a real, independent
implementation of RFC 6455 and RFC 7692: the test drives this process with one
JSON command per line on stdin and reads one JSON line per reply (and per
event) on stdout, so that every step is checked from the Deno side.

    /usr/bin/python3 interop_python_peer.py '<config JSON>'

config:
    mode         "server" (listen on 127.0.0.1, one open connection at a time) or
                 "client" (wait for a "connect" command)
    tls          server: {"cert": path, "key": path}
    subprotocols list of subprotocols offered (client) or accepted (server)
    compression  null (off), "default" (the library's defaults), or the
                 parameters of Server/ClientPerMessageDeflateFactory
    require      server: {header: expected value}; any mismatch answers the
                 handshake with HTTP 401 and the list of mismatches
    max_size     largest message accepted (default 32 MiB)
    stall_handshake  server: seconds to sit on each handshake before answering

Every stdout line is {"kind": "event" | "reply", ...}. Commands (all replies
carry "ok"; failures carry "error"):
    connect   {url, headers?, ca?, subprotocols?, compression?}  (client mode)
    send      {text} | {b64} | {fragments: [str...]} | {fragments_b64: [...]}
              | {random: n, seed}   -> random replies {sha256, length}
              | {zeros: n}  (n zero bytes: compress to almost nothing)
              fragments may add ping_before_last (base64): a ping sent before
              the last fragment, whose pong must arrive before it is sent
    recv      -> {type: "text", text} | {type: "binary", length, sha256, b64?}
                 | {type: "closed", code, reason}
    ping      {b64?}  sends a ping and waits for its pong
    close     {code, reason}  runs the closing handshake, replies with the
              code and reason the other side sent back
    wait_closed  waits until the other side closes, replies with its code/reason
    frames    the frames read since the last "frames" command: opcode, fin,
              rsv1 (as on the wire), payload length on the wire, and the
              payload of control frames as hex
    stats     {bytes_in}: bytes received on the connection (TLS: decrypted)
    exit
"""

import asyncio
import base64
import hashlib
import http
import json
import os
import random
import ssl
import sys

import websockets
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)
from websockets.legacy.framing import Frame
from websockets.legacy.client import WebSocketClientProtocol
from websockets.legacy.server import WebSocketServerProtocol

COMMAND_TIMEOUT = 30


def emit(kind, **fields):
    sys.stdout.write(json.dumps({"kind": kind, **fields}) + "\n")
    sys.stdout.flush()


class Recording:
    """Records the frames and bytes this end reads, as they were on the wire."""

    def init_recording(self):
        self.frames_in = []
        self.bytes_in = 0

    def data_received(self, data):
        self.bytes_in += len(data)
        super().data_received(data)

    async def read_frame(self, max_size):
        wire = []

        async def readexactly(n):
            data = await self.reader.readexactly(n)
            wire.append(data)
            return data

        frame = await Frame.read(
            readexactly,
            mask=not self.is_client,
            max_size=max_size,
            extensions=self.extensions,
        )
        head = wire[0]
        # wire: [2-byte head, extended length?, mask key?, payload]
        record = {
            "opcode": head[0] & 0x0F,
            "fin": bool(head[0] & 0x80),
            "rsv1": bool(head[0] & 0x40),
            "masked": bool(head[1] & 0x80),
            "wire_length": len(wire[-1]),
        }
        if frame.opcode >= 8:
            record["payload_hex"] = frame.data.hex()
        self.frames_in.append(record)
        return frame


class ServerProtocol(Recording, WebSocketServerProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_recording()


class ClientProtocol(Recording, WebSocketClientProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_recording()


def deflate_factories(compression, factory):
    if compression is None:
        return None, None
    if compression == "default":
        return "deflate", None
    return None, [factory(**compression)]


def random_bytes(n, seed):
    return random.Random(seed).randbytes(n)


class Peer:
    def __init__(self, config):
        self.config = config
        self.ws = None
        self.connected = asyncio.Event()
        self.done = None

    async def command(self, cmd):
        op = cmd["op"]
        if op == "connect":
            return await self.connect(cmd)
        if op == "exit":
            return {"bye": True}
        ws = self.ws
        if ws is None:
            return {"ok": False, "error": "not connected"}
        if op == "send":
            if "text" in cmd:
                await ws.send(cmd["text"])
            elif "b64" in cmd:
                await ws.send(base64.b64decode(cmd["b64"]))
            elif "fragments" in cmd or "fragments_b64" in cmd:
                if "fragments" in cmd:
                    fragments = list(cmd["fragments"])
                else:
                    fragments = [base64.b64decode(f) for f in cmd["fragments_b64"]]
                ping = cmd.get("ping_before_last")
                if ping is None:
                    await ws.send(fragments)
                else:
                    await ws.send(self.fragments_with_ping(fragments, base64.b64decode(ping)))
            elif "zeros" in cmd:
                await ws.send(bytes(cmd["zeros"]))
            elif "random" in cmd:
                data = random_bytes(cmd["random"], cmd.get("seed", 1))
                await ws.send(data)
                return {"sha256": hashlib.sha256(data).hexdigest(), "length": len(data)}
            return {}
        if op == "recv":
            try:
                message = await ws.recv()
            except websockets.ConnectionClosed:
                return {"type": "closed", "code": ws.close_code, "reason": ws.close_reason}
            if isinstance(message, str):
                return {"type": "text", "text": message}
            reply = {
                "type": "binary",
                "length": len(message),
                "sha256": hashlib.sha256(message).hexdigest(),
            }
            if len(message) <= 65536:
                reply["b64"] = base64.b64encode(message).decode()
            return reply
        if op == "ping":
            waiter = await ws.ping(base64.b64decode(cmd.get("b64", "")))
            await waiter
            return {}
        if op == "close":
            await ws.close(cmd.get("code", 1000), cmd.get("reason", ""))
            return {"code": ws.close_code, "reason": ws.close_reason}
        if op == "wait_closed":
            await ws.wait_closed()
            return {"code": ws.close_code, "reason": ws.close_reason}
        if op == "frames":
            frames, ws.frames_in = ws.frames_in, []
            return {"frames": frames}
        if op == "stats":
            return {"bytes_in": ws.bytes_in}
        return {"ok": False, "error": f"unknown op {op}"}

    async def fragments_with_ping(self, fragments, payload):
        """Yields the fragments; before the last one, pings and waits for the pong.

        The other side can only answer in time if it handles control frames
        between the fragments of a message, before the message is complete.
        """
        for index, fragment in enumerate(fragments):
            if index == len(fragments) - 1:
                waiter = await self.ws.ping(payload)
                await asyncio.wait_for(waiter, 10)
            yield fragment

    async def connect(self, cmd):
        compression, extensions = deflate_factories(
            cmd.get("compression"), ClientPerMessageDeflateFactory
        )
        context = None
        if cmd["url"].startswith("wss:"):
            context = ssl.create_default_context(cafile=cmd.get("ca"))
        self.ws = await websockets.connect(
            cmd["url"],
            create_protocol=ClientProtocol,
            subprotocols=cmd.get("subprotocols"),
            extra_headers=cmd.get("headers"),
            compression=compression,
            extensions=extensions,
            ssl=context,
            max_size=self.config.get("max_size", 32 * 2**20),
            ping_interval=None,
            open_timeout=10,
            close_timeout=5,
        )
        return {
            "subprotocol": self.ws.subprotocol,
            "extensions": self.ws.response_headers.get("Sec-WebSocket-Extensions", ""),
        }

    async def process_request(self, path, headers):
        stall = self.config.get("stall_handshake")
        if stall:
            # Never answers in time: for the other side's handshake timeout and abort.
            emit("event", event="stalled")
            await asyncio.sleep(stall)
        mismatches = [
            f"{name}: {headers.get(name)!r} != {value!r}"
            for name, value in self.config.get("require", {}).items()
            if headers.get(name) != value
        ]
        if mismatches:
            emit("event", event="rejected", mismatches=mismatches)
            return http.HTTPStatus.UNAUTHORIZED, [("Content-Type", "text/plain")], "\n".join(mismatches).encode()
        return None

    async def handler(self, ws, path):
        if self.ws is not None and not self.ws.closed:
            await ws.close(1013, "one connection at a time")
            return
        if self.done is not None and not self.done.done():
            self.done.set_result(None)
        self.ws = ws
        self.done = asyncio.get_running_loop().create_future()
        emit(
            "event",
            event="open",
            path=path,
            headers={k.lower(): ", ".join(ws.request_headers.get_all(k)) for k in ws.request_headers},
            subprotocol=ws.subprotocol,
            extensions=ws.response_headers.get("Sec-WebSocket-Extensions", ""),
        )
        # Commands drive the connection from the main loop; keep it open until
        # the test says "exit" (or the connection ends and the test sees it).
        await self.done

    async def serve(self):
        compression, extensions = deflate_factories(
            self.config.get("compression"), ServerPerMessageDeflateFactory
        )
        context = None
        if self.config.get("tls"):
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.config["tls"]["cert"], self.config["tls"]["key"])
        return await websockets.serve(
            self.handler,
            "127.0.0.1",
            0,
            create_protocol=ServerProtocol,
            subprotocols=self.config.get("subprotocols"),
            process_request=self.process_request,
            compression=compression,
            extensions=extensions,
            ssl=context,
            max_size=self.config.get("max_size", 32 * 2**20),
            ping_interval=None,
            close_timeout=5,
        )


async def main():
    config = json.loads(sys.argv[1])
    peer = Peer(config)
    server = None
    if config["mode"] == "server":
        server = await peer.serve()
        emit("event", event="listening", port=server.sockets[0].getsockname()[1])
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        cmd = json.loads(line)
        try:
            reply = await asyncio.wait_for(peer.command(cmd), COMMAND_TIMEOUT)
            emit("reply", ok=True, **reply)
        except Exception as error:  # reported to the test, which fails on it
            emit("reply", ok=False, error=f"{type(error).__name__}: {error}")
        if cmd["op"] == "exit":
            break
    # Leave at once: connections still open are dropped by the OS (a stalled handshake
    # handler would keep a graceful shutdown waiting).
    sys.stdout.flush()
    os._exit(0)


asyncio.run(main())
