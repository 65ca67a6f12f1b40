"""The review page's server: 127.0.0.1 only, nothing without the token, changes only from its own page (token in the
request, JSON, its own Host and Origin), scores validated; and ``hw1-grader review`` prints the address."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest

from grader.review.desk import Desk
from grader.review.server import start
from review_helpers import ITEM, ROOT, read_csv


@pytest.fixture
def served(out):
    server, thread = start(Desk(out, "ta.test"))
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def request(server, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    host, port = server.server_address
    conn = http.client.HTTPConnection(host, port, timeout=30)
    data = json.dumps(body).encode() if body is not None else None
    head = {"Content-Type": "application/json", "X-Review-Token": server.token} if body is not None else {}
    conn.request(method, path, body=data, headers={**head, **(headers or {})})
    res = conn.getresponse()
    payload = res.read()
    conn.close()
    return res.status, payload, dict(res.getheaders())


def decision(server, **more) -> dict:
    return {"token": server.token, "item": ITEM, "entries": ["carol"], "score": "2", "comment": "ok", **more}


def test_it_listens_on_localhost_only_and_serves_the_page_with_the_token(served):
    assert served.server_address[0] == "127.0.0.1" and served.url.startswith("http://127.0.0.1:")
    status, body, headers = request(served, "GET", f"/{served.token}/")
    assert status == 200 and "3 of 3 answers left to review, in 2 of 2 groups." in body.decode()
    assert "default-src 'none'" in headers["Content-Security-Policy"] and headers["Cache-Control"] == "no-store"
    assert request(served, "GET", f"/{served.token}/static/review.js")[0] == 200
    status, _, headers = request(served, "GET", f"/{served.token}")
    assert status == 308 and headers["Location"] == f"/{served.token}/"
    state = json.loads(request(served, "GET", f"/{served.token}/api/state")[1])
    assert (state["answers_left"], state["groups_left"]) == (3, 2)


@pytest.mark.parametrize("path", ["/", "/favicon.ico", "/{bad}/", "/{bad}/api/state", "/{token}x/",
                                  "/static/review.js", "/{short}/"])
def test_without_the_right_token_every_request_gets_403_and_nothing_else(served, path):
    path = path.format(bad="A" * len(served.token), token=served.token, short=served.token[:-1])
    for method in ("GET", "POST", "HEAD"):
        body = decision(served) if method == "POST" else None
        status, payload, _ = request(served, method, path, body)
        assert (status, payload) == (403, b""), (method, path)


def test_changes_need_the_token_in_the_request_and_the_pages_own_origin(served, out):
    url = f"/{served.token}/api/decide"
    wrong = [({"token": "nope"}, {}), ({}, {"X-Review-Token": "nope"}),
             ({}, {"Origin": "http://evil.example"}), ({}, {"Host": "evil.example"})]
    for body, headers in wrong:
        status, payload, _ = request(served, "POST", url, decision(served, **body), headers)
        assert (status, payload) == (403, b""), (body, headers)
    status, payload, _ = request(served, "POST", url, decision(served), {"Content-Type": "text/plain"})
    assert status == 400 and "application/json" in json.loads(payload)["error"]
    assert not (out / "overrides.json").exists()


def test_a_decision_is_validated_then_saved_and_rebuilt(served, out):
    url = f"/{served.token}/api/decide"
    for score, message in (("5", "give a score from 0 to 4"), ("-1", "from 0 to 4"), ("lots", "not a number"),
                           ("nan", "not a number")):
        status, payload, _ = request(served, "POST", url, decision(served, score=score))
        assert status == 400 and message in json.loads(payload)["error"], score
    status, payload, _ = request(served, "POST", url, decision(served, entries=["carol", "nobody"]))
    assert status == 400 and "no submission 'nobody'" in json.loads(payload)["error"]
    assert not (out / "overrides.json").exists()
    status, payload, _ = request(served, "POST", url, decision(served, score="2.5", comment="fair"))
    reply = json.loads(payload)
    assert status == 200 and reply["ok"] and reply["progress"] == "2 of 3 answers left to review, in 1 of 2 groups."
    assert "2.5 by ta.test: fair" in reply["card"]
    assert read_csv(out / "grades.csv")["carol"][ITEM] == "2.5"
    status, payload, _ = request(served, "POST", f"/{served.token}/api/clear", decision(served))
    assert status == 200 and json.loads(payload)["progress"].startswith("3 of 3")
    assert read_csv(out / "grades.csv")["carol"][ITEM] == "1"


def test_the_review_command_prints_the_address_and_serves_until_stopped(out):
    proc = subprocess.Popen([sys.executable, "-m", "grader", "review", str(out), "--no-browser", "--reviewer", "x"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, proc.stderr.read()
            if line.startswith("Open http://127.0.0.1:"):
                url = line.split()[1]
        assert url is not None
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.request("GET", parts.path)
        res = conn.getresponse()
        assert res.status == 200 and "reviewer <strong>x</strong>" in res.read().decode()
        conn.close()
    finally:
        os.kill(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "the decisions are in" in err
