"""The class server's front: sticky by kernel, spread by load, byte-for-byte otherwise."""

from __future__ import annotations

import asyncio
import threading

from supportnet.dashboards.front import Front, Worker, _single_use, kernel_of


def test_kernels_stay_on_their_worker_and_new_ones_go_to_the_least_busy():
    a, b = Worker(1), Worker(2)
    front = Front([a, b], "127.0.0.1", 0)
    w1 = front.route("/jupyter/api/kernels/k1/channels?session_id=s", True)
    w1.live += 1
    w2 = front.route("/jupyter/api/kernels/k2/channels?session_id=s", True)
    assert w2 is not w1  # spread
    w2.live += 1
    assert front.route("/jupyter/api/kernels/k1/channels", True) is w1  # sticky
    assert front.route("/_solara/api/close/k1?session_id=s", False) is w1
    # A worker that stops loses its kernels; they go to the other one.
    w1.up = False
    front.forget(w1)
    assert front.route("/jupyter/api/kernels/k1/channels", True) is w2
    assert kernel_of("/static/x.js") is None


def test_stateless_requests_take_turns_and_are_single_use():
    a, b = Worker(1), Worker(2)
    front = Front([a, b], "127.0.0.1", 0)
    got = {front.route("/static/main.js", False).port for _ in range(4)}
    assert got == {1, 2}
    head = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\n\r\n"
    out = _single_use(head)
    assert out.endswith(b"Connection: close\r\n\r\n") and b"keep-alive" not in out.lower()


def test_proxies_bytes_both_ways():
    async def main():
        async def echo(reader, writer):
            head = await reader.readuntil(b"\r\n\r\n")
            body = b"seen:" + head.split(b"\r\n")[0]
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            await writer.drain()
            writer.close()

        backend = await asyncio.start_server(echo, "127.0.0.1", 0)
        port = backend.sockets[0].getsockname()[1]
        front = Front([Worker(port)], "127.0.0.1", 0)
        await front.start()
        fport = front._server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", fport)
        writer.write(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        await front.close()
        backend.close()
        return data

    # In a thread with an event loop of its own: a browser test in this worker (pytest-playwright)
    # keeps an event loop running in the main thread, where asyncio.run() is refused.
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("data", asyncio.run(main())))
    thread.start()
    thread.join(30)
    data = out["data"]
    assert data.startswith(b"HTTP/1.1 200 OK") and data.endswith(b"seen:GET /hello HTTP/1.1")
