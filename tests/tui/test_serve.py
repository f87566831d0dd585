"""``dltutor serve``: the page loads on localhost and a key typed in it reaches the app.

A real server in a subprocess on a free port; the test fetches the page over
HTTP, then speaks the page's websocket protocol (textual-serve's
``["stdin", text]`` envelopes) and watches the app's screen output for the
help screen that ``?`` opens. Every wait is bounded.
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

aiohttp = pytest.importorskip("aiohttp")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = dict(os.environ, DLTUTOR_HOME=str(tmp_path / "home"))
    proc = subprocess.Popen([sys.executable, "-m", "dltutor", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def fetch_page(port: int, proc, timeout: float = 30.0) -> str:
    end = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://localhost:{port}/", timeout=5) as response:
                assert response.status == 200
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > end:
                raise AssertionError(f"no page on localhost:{port} within {timeout} s")
            time.sleep(0.2)


async def screen_until(ws, marker: str, seen: list, timeout: float) -> None:
    """Read the app's output until ``marker`` has been drawn."""
    end = time.monotonic() + timeout
    while marker not in "".join(seen):
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{marker!r} was not drawn within {timeout} s")
        msg = await ws.receive(timeout=left)
        if msg.type == aiohttp.WSMsgType.BINARY:
            seen.append(msg.data.decode("utf-8", "replace"))
        elif msg.type == aiohttp.WSMsgType.TEXT:
            seen.append(msg.data)
        elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            raise AssertionError(f"the websocket closed before {marker!r} was drawn")


async def press_key(port: int) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"ws://localhost:{port}/ws?width=80&height=24") as ws:
            await ws.send_json(["resize", {"width": 80, "height": 24}])
            seen: list[str] = []
            await screen_until(ws, "Topics", seen, timeout=40)     # the home screen is painted
            seen.clear()
            await ws.send_json(["stdin", "?"])
            await screen_until(ws, "Esc closes", seen, timeout=20)       # the help screen opened


def test_serve_page_loads_and_a_key_reaches_the_app(server):
    port, proc = server
    page = fetch_page(port, proc)
    assert f"ws://localhost:{port}/ws" in page          # the websocket the page connects to
    asyncio.run(asyncio.wait_for(press_key(port), timeout=90))


def test_serve_help():
    from tests.conftest import run_cli

    result = run_cli("serve", "--help")
    assert result.code == 0 and "--port" in result.out and "localhost" in result.out
