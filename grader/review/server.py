"""The review page's web server: the standard library's ``http.server``, on 127.0.0.1 only.

Every URL starts with a random token (``http://127.0.0.1:PORT/TOKEN/``); any request without it gets 403 and an
empty body. A change (POST) must also carry the token in its JSON body and an ``X-Review-Token`` header, as
``application/json``, with this server as its Host (and Origin, when the browser sends one): another page the
reviewer has open cannot forge one (CSRF) nor reach the server under another name (DNS rebinding). Responses
are never cached and forbid every source but this server (Content-Security-Policy).

    GET  /TOKEN/                the page (the folder's records read again)
    GET  /TOKEN/static/NAME     review.js, review.css, favicon.svg
    GET  /TOKEN/api/state       {"progress", "answers", "groups", "answers_left", "groups_left", "stale"}
    POST /TOKEN/api/decide      {"token", "group", "item", "entries": [...], "score", "comment"}
    POST /TOKEN/api/clear       {"token", "group", "item", "entries": [...]}
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from grader.errors import GraderError
from grader.review import page, queue
from grader.review.desk import Desk, parse_score

STATIC = Path(__file__).with_name("static")
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
STATIC_FILES = {"static/review.js", "static/review.css", "static/favicon.svg"}
MAX_BODY = 1 << 20
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY",
           "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                      "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; "
                                      "base-uri 'none'"}


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, desk: Desk, port: int = 0, token: str | None = None) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.desk = desk
        self.token = token or secrets.token_urlsafe(24)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{self.token}/"

    def hosts(self) -> set[str]:
        port = self.server_address[1]
        return {f"127.0.0.1:{port}", f"localhost:{port}"}


class Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass  # a reviewer's terminal shows the URL and errors, not every request

    # ------------------------------------------------------------------------------------------------ replies
    def _send(self, code: int, body: bytes = b"", ctype: str = "text/plain; charset=utf-8") -> None:
        self.send_response(code)
        for k, v in HEADERS.items():
            self.send_header(k, v)
        if body:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, code: int, data: dict) -> None:
        self._send(code, json.dumps(data).encode("utf-8"), "application/json")

    def _route(self) -> str | None:
        """The path after the token, or None (then 403 has been sent) when the token or the Host is wrong."""
        head, slash, rest = self.path.partition("?")[0].lstrip("/").partition("/")
        if not hmac.compare_digest(head.encode(), self.server.token.encode()) or \
                self.headers.get("Host", "") not in self.server.hosts():
            self.close_connection = True
            self._send(403)
            return None
        if not slash:  # /TOKEN: the page's relative addresses need /TOKEN/
            self.send_response(308)
            self.send_header("Location", f"/{self.server.token}/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return rest

    # ---------------------------------------------------------------------------------------------------- GET
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        route = self._route()
        if route is None:
            return
        desk = self.server.desk
        if route == "":
            desk.refresh()
            groups = desk.groups()
            html = page.page(groups, queue.progress(groups), title=desk.rubric.title, out=str(desk.store.out),
                             reviewer=desk.reviewer, token=self.server.token)
            self._send(200, html.encode("utf-8"), "text/html; charset=utf-8")
        elif route in STATIC_FILES:
            path = STATIC / route.removeprefix("static/")
            self._send(200, path.read_bytes(), TYPES[path.suffix])
        elif route == "api/state":
            p = queue.progress(desk.groups())
            self._json(200, {"progress": p.sentence(), **asdict(p)})
        else:
            self._send(404, b"not found")

    do_HEAD = do_GET

    # --------------------------------------------------------------------------------------------------- POST
    def _body(self) -> dict | None:
        """The request's JSON object when the request may change anything; else None (a 403 or 400 was sent)."""
        token = self.server.token.encode()
        origin = self.headers.get("Origin")
        if origin is not None and origin.removeprefix("http://") not in self.server.hosts() or \
                not hmac.compare_digest(self.headers.get("X-Review-Token", "").encode(), token):
            self.close_connection = True
            self._send(403)
            return None
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            self._json(400, {"ok": False, "error": "send the decision as application/json"})
            return None
        try:
            size = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            size = -1
        if not 0 < size <= MAX_BODY:
            self.close_connection = True
            self._json(400, {"ok": False, "error": "the request has no body or one too large"})
            return None
        try:
            body = json.loads(self.rfile.read(size))
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._json(400, {"ok": False, "error": "send a JSON object"})
            return None
        if not hmac.compare_digest(str(body.get("token", "")).encode(), token):
            self.close_connection = True
            self._send(403)
            return None
        return body

    def do_POST(self) -> None:  # noqa: N802
        route = self._route()
        if route is None:
            return
        if route not in ("api/decide", "api/clear"):
            self._send(404, b"not found")
            return
        body = self._body()
        if body is None:
            return
        desk = self.server.desk
        try:
            item, entries = str(body.get("item", "")), body.get("entries")
            if not isinstance(entries, list) or not all(isinstance(x, str) for x in entries):
                raise GraderError("entries must be a list of submission names")
            if route == "api/decide":
                score = parse_score(body.get("score"))
                desk.decide(item, entries, score, str(body.get("comment", ""))[:4000])
                message = f"saved: {score:g} for {len(entries)} answer{'s' * (len(entries) != 1)}"
            else:
                desk.clear(item, entries)
                message = f"cleared {len(entries)}: the grader's score counts again"
        except GraderError as e:
            self._json(400, {"ok": False, "error": str(e)})
            return
        groups = desk.groups()
        group = next((g for g in groups if g.item_id == item and any(a.entry == entries[0] for a in g.answers)),
                     None)
        self._json(200, {"ok": True, "progress": queue.progress(groups).sentence(),
                         "card": page.card(group) if group else "", "message": message})


def start(desk: Desk, port: int = 0) -> tuple[ReviewServer, threading.Thread]:
    """Serve in a thread (for tests and for ``serve``); stop with ``server.shutdown()``."""
    server = ReviewServer(desk, port)
    thread = threading.Thread(target=server.serve_forever, name="review-server", daemon=True)
    thread.start()
    return server, thread
