"""The web server behind ``dltutor serve``: textual-serve's server, locked to the person who started it.

- **A token.** A random token is printed in the address; the page (``/?token=…``), the
  websocket (``/ws/<token>``) and the page's own files (a cookie set by the page) need it,
  compared in constant time. Anything else is HTTP 403.
- **Same origin only.** A request that carries an ``Origin`` must come from the page's
  own address, and the websocket must carry one; a server bound to loopback also answers
  only to loopback host names (a DNS-rebound name is refused). HTTP 403 otherwise.
- **A cap on sessions.** Each browser tab is its own app process; at most
  ``max_sessions`` run at once (HTTP 503 beyond that).
- **No files from the browser.** The app processes run with ``DLTUTOR_SERVED=1``,
  which turns off every field that would read a path on this machine.
- **Nothing from another host.** The page, its script, styles and font come from this
  server (the font is textual-serve's bundled Roboto Mono); a Content-Security-Policy
  says so to the browser as well.
- **Bind first.** The listening sockets are opened before anything is printed, so a
  port in use or a host that does not resolve is one line and exit 2, not a banner
  followed by a traceback.
"""

from __future__ import annotations

import asyncio
import errno
import hmac
import html
import ipaddress
import json
import logging
import os
import secrets
import shlex
import socket
import sys
from pathlib import Path

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from dltutor.errors import InputError
from dltutor.tui.served import SERVED_ENV

PAGE = Path(__file__).with_name("serve_page.html")
MAX_SESSIONS = 4
MAX_MESSAGE = 64 * 1024           # bytes in one websocket message (keys, a resize, a ping)
MAX_COLUMNS, MAX_ROWS = 500, 200  # a terminal larger than this is clamped, not allocated
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")

log = logging.getLogger("dltutor.serve")


def app_command() -> str:
    """The command run per browser tab: this Python, the app as served."""
    return f"{shlex.quote(sys.executable)} -m dltutor.tui.served"


def _addresses(host: str, port: int) -> list[tuple]:
    """getaddrinfo for a listening TCP socket, or InputError naming the host."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) and exc.strerror else str(exc)
        raise InputError(f"--host {host!r} cannot be used: {reason}") from None
    seen, out = set(), []
    for family, type_, proto, _name, addr in infos:
        if family in (socket.AF_INET, socket.AF_INET6) and addr[:2] not in seen:
            seen.add(addr[:2])
            out.append((family, type_, proto, addr))
    if not out:
        raise InputError(f"--host {host!r} has no IPv4 or IPv6 address")
    return out


def is_loopback(host: str, port: int = 0) -> bool:
    """True when every address ``host`` names is on this machine only."""
    return all(ipaddress.ip_address(addr[0].split("%")[0]).is_loopback
               for *_, addr in _addresses(host, port))


def bind(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for every address of ``host`` (port 0: one free port for all), or
    InputError naming the host and port. Nothing is printed before this succeeds."""
    sockets: list[socket.socket] = []
    try:
        for family, type_, proto, addr in _addresses(host, port):
            sock = socket.socket(family, type_, proto)
            sockets.append(sock)
            if os.name == "posix":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if port == 0 and len(sockets) > 1:       # the same free port on every address
                addr = (addr[0], sockets[0].getsockname()[1], *addr[2:])
            sock.bind(addr)
            sock.listen(128)
            sock.setblocking(False)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InputError(f"--port {port} is already in use on {host}; stop the other server or "
                             "choose another port with --port") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise InputError(f"--host {host!r} is not an address of this machine") from None
        if exc.errno == errno.EACCES:
            raise InputError(f"--port {port} needs more privileges than this user has; "
                             "use a port above 1023") from None
        raise InputError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None
    return sockets


def _host_for_url(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


class GuardedServer(Server):
    """textual-serve's Server with a token, an origin check, a session cap and our own page."""

    def __init__(self, command: str, *, host: str, port: int, sockets: list[socket.socket],
                 token: str | None = None, max_sessions: int = MAX_SESSIONS, loopback: bool = True):
        super().__init__(command, host=host, port=port, title="dltutor")
        self.sockets = sockets
        self.port = sockets[0].getsockname()[1] if sockets else port
        self.token = token or secrets.token_urlsafe(24)
        self.max_sessions = max_sessions
        self.loopback = loopback
        self.sessions = 0
        self.cookie = f"dltutor_token_{self.port}"
        self.url = f"http://{_host_for_url(host)}:{self.port}/?token={self.token}"

    # ---------------------------------------------------------------- the checks
    def _token_ok(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode())

    def _host_ok(self, request: web.Request) -> bool:
        if not self.loopback:
            return True
        host = request.host or ""
        name = host if host.endswith("]") else host.rsplit(":", 1)[0]     # "[::1]:8000" -> "[::1]"
        return name.lower() in LOOPBACK_NAMES

    def _origin_ok(self, request: web.Request, required: bool) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return not required
        return origin == f"http://{request.host}"

    @web.middleware
    async def guard(self, request: web.Request, handler):
        if not self._host_ok(request):
            raise web.HTTPForbidden(text="dltutor serve: this host name is not served here\n")
        websocket = request.path.startswith("/ws")
        if not self._origin_ok(request, required=websocket):
            raise web.HTTPForbidden(text="dltutor serve: requests from other sites are refused\n")
        given = (request.match_info.get("token") or request.query.get("token")
                 or request.cookies.get(self.cookie))
        if not self._token_ok(given):
            raise web.HTTPForbidden(text="dltutor serve: open the address printed by dltutor serve "
                                         "(with its token)\n")
        response = await handler(request)
        if not websocket:
            response.headers.setdefault("Content-Security-Policy", self._csp(request))
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    def _csp(self, request: web.Request) -> str:
        return ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                f"img-src 'self' data:; font-src 'self'; connect-src 'self' ws://{request.host}; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")

    # ---------------------------------------------------------------- the app
    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard], client_max_size=MAX_MESSAGE)
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws/{token}", self.handle_websocket, name="websocket"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ])
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        """The banner is printed by ``serve`` before the loop starts; nothing to say here."""

    async def handle_index(self, request: web.Request) -> web.Response:
        font_size = max(8, min(48, _to_int(request.query.get("fontsize", "16"), 16)))
        page = PAGE.read_text(encoding="utf-8")
        ws_url = f"ws://{request.host}/ws/{self.token}"
        for key, value in (("WS_URL", ws_url), ("FONT_SIZE", str(font_size)), ("TITLE", "dltutor")):
            page = page.replace("{{ " + key + " }}", html.escape(value, quote=True))
        response = web.Response(text=page, content_type="text/html")
        response.headers["Cache-Control"] = "no-store"
        response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/")
        return response

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        if self.sessions >= self.max_sessions:
            raise web.HTTPServiceUnavailable(
                text=f"dltutor serve: {self.max_sessions} sessions are open already; close a tab\n")
        self.sessions += 1
        try:
            return await self._run_session(request)
        finally:
            self.sessions -= 1

    async def _run_session(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        width = _clamp(_to_int(request.query.get("width", "80"), 80), MAX_COLUMNS)
        height = _clamp(_to_int(request.query.get("height", "24"), 24), MAX_ROWS)
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            app_service = AppService(self.command, write_bytes=websocket.send_bytes,
                                     write_str=websocket.send_str, close=websocket.close,
                                     download_manager=self.download_manager, debug=self.debug)
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:   # one broken session must not stop the server
            log.warning("session ended: %s", error)
        finally:
            if app_service is not None:
                await app_service.stop()
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """textual-serve's envelopes (stdin, resize, ping, blur, focus); anything malformed is dropped."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(_clamp(_to_int(data.get("width"), 80), MAX_COLUMNS),
                                                    _clamp(_to_int(data.get("height"), 24), MAX_ROWS))
            elif kind == "ping":
                await websocket.send_json(["pong", str(data)[:64]])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    # ---------------------------------------------------------------- running
    def serve(self, debug: bool = False) -> None:
        import signal

        self.debug = debug
        logging.basicConfig(level=logging.WARNING, format="%(message)s")
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.request_exit)
            except (NotImplementedError, RuntimeError):
                pass
        web.run_app(self._make_app(), sock=self.sockets, handle_signals=False, loop=loop,
                    print=None, access_log=None)


def _to_int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _clamp(value: int, top: int) -> int:
    return max(1, min(top, value))


def run(host: str, port: int, max_sessions: int) -> None:
    """Bind, print the address (and a warning for a non-loopback host), serve until Ctrl-C."""
    import click

    loopback = is_loopback(host, port)
    sockets = bind(host, port)
    server = GuardedServer(app_command(), host=host, port=port, sockets=sockets,
                           max_sessions=max_sessions, loopback=loopback)
    os.environ[SERVED_ENV] = "1"      # inherited by every app process: no file fields
    if not loopback:
        click.echo(f"warning: --host {host} lets other machines reach this server; anyone who has "
                   "the address below (token included) can use dltutor as you", err=True)
    click.echo(f"dltutor is served at {server.url}")
    click.echo(f"Open that address in a browser on this machine (at most {max_sessions} tabs at once); "
               "Ctrl+C stops the server.")
    sys.stdout.flush()
    server.serve()
