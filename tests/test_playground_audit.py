"""The playground under a hostile or careless client: the requests the standard library
refuses before glassnet sees them, bodies whose end is uncertain, repeated URL fields,
targets with fields they do not have; and the exports and steps for every activation,
regularization and problem type."""

from __future__ import annotations

import http.client
import json
import runpy
import socket
import time

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet._validation import ParameterError
from glassnet.playground import Playground, Run
from glassnet.playground.engine import ACTIVATIONS, Diverged
from glassnet.playground.export import model_bytes


def _raw(pg, data, shut=True, wait=10):
    """Send bytes as they are; every answer the server gives, until it closes."""
    s = socket.create_connection(("127.0.0.1", pg.port), timeout=wait)
    try:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out
    finally:
        s.close()


def _answers(raw):
    """(status, JSON body) of each HTTP answer in ``raw``."""
    out = []
    while raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        n = int(headers["Content-Length"])
        assert headers["Content-Type"] == "application/json", lines
        out.append((int(lines[0].split()[1]), json.loads(rest[:n])))
        raw = rest[n:]
    return out


def _head(pg, extra=""):
    return f"Host: 127.0.0.1:{pg.port}\r\nX-Glassnet-Token: {pg.token}\r\n{extra}"


def _post(pg, path, body, extra=""):
    return (
        f"POST {path} HTTP/1.1\r\n{_head(pg, extra)}Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


@pytest.mark.parametrize(
    "request_line, status, word",
    [
        ("PATCH /api/run HTTP/1.1", 405, "GET and POST, not PATCH"),
        ("TRACE / HTTP/1.1", 405, "not TRACE"),
        ("GARBAGE", 400, "GARBAGE"),
        ("GET / HTTP/9.9", 400, "HTTP/1.0 and 1.1"),
        ("GET /" + "a" * 70_000 + " HTTP/1.1", 414, "URI Too Long"),
    ],
    ids=["PATCH", "TRACE", "garbage", "HTTP/9.9", "long-URL"],
)
def test_the_standard_librarys_refusals_are_json_too(server, request_line, status, word):
    """Requests http.server refuses itself (before glassnet's handler runs) got its HTML
    error page, and an unknown method a 501; now a 4xx JSON answer like every other."""
    answers = _answers(_raw(server, f"{request_line}\r\n{_head(server)}\r\n".encode()))
    assert len(answers) == 1 and answers[0][0] == status
    assert word in answers[0][1]["error"]


def test_too_many_headers_get_a_json_answer(server):
    many = "".join(f"X-{i}: 1\r\n" for i in range(200))
    [(status, body)] = _answers(
        _raw(server, f"GET / HTTP/1.1\r\n{_head(server, many)}\r\n".encode())
    )
    assert status == 431 and "headers" in body["error"].lower()


def test_a_body_shorter_than_its_content_length_is_refused(server):
    """A client that announces 100 bytes, sends '{}' and closes: the cut body was read as
    the whole request (a new run, 200)."""
    runs = len(server.runs)
    data = _post(server, "/api/run", b"{}").replace(b"Content-Length: 2", b"Content-Length: 100")
    [(status, body)] = _answers(_raw(server, data))
    assert status == 400 and "ended after 2 of its 100 bytes" in body["error"]
    assert len(server.runs) == runs


@pytest.mark.parametrize(
    "lengths",
    [["100", "2"], ["2", "2"], ["+2"], ["2_0"], [" 0x2"], ["-1"]],
)
def test_a_content_length_must_be_one_plain_number(server, lengths):
    """Two Content-Length headers (the first was used) or Python's int() spellings
    ('+2', '2_0') leave the body's end uncertain: 400, and the connection ends, so the
    bytes after it are never read as a request."""
    extra = "".join(f"Content-Length: {n}\r\n" for n in lengths)
    head = f"POST /api/run HTTP/1.1\r\n{_head(server, extra)}Content-Type: application/json\r\n\r\n"
    smuggled = f"GET /api/previews HTTP/1.1\r\n{_head(server)}\r\n"
    answers = _answers(_raw(server, head.encode() + b"{}" + smuggled.encode()))
    assert [a[0] for a in answers] == [400], answers
    assert "Content-Length must be one number" in answers[0][1]["error"]


def test_a_chunked_body_is_refused_and_not_read_as_the_next_request(server):
    """A chunked POST got 411 but the connection stayed open, so its chunks were read as
    the next request line (an HTML 400 after the JSON 411)."""
    head = (
        f"POST /api/run HTTP/1.1\r\n{_head(server)}Content-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    answers = _answers(_raw(server, head.encode() + b"2\r\n{}\r\n0\r\n\r\n"))
    assert [a[0] for a in answers] == [411] and "Transfer-Encoding" in answers[0][1]["error"]


def test_a_body_that_never_arrives_gets_408_not_500():
    """A client that announces a body and stops sending: the read timed out and the
    answer was 'internal error: TimeoutError' (500, and a line on the terminal)."""
    pg = Playground().start()
    try:
        pg.httpd.RequestHandlerClass.timeout = 1
        data = _post(pg, "/api/run", b"{}").replace(b"Content-Length: 2", b"Content-Length: 9")
        [(status, body)] = _answers(_raw(pg, data, shut=False))
        assert status == 408 and "did not arrive within 1 seconds" in body["error"]
    finally:
        pg.close()


def _get(pg, path):
    c = http.client.HTTPConnection("127.0.0.1", pg.port, timeout=10)
    c.request("GET", path, headers={"Host": f"127.0.0.1:{pg.port}", "X-Glassnet-Token": pg.token})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def test_url_fields_are_given_once_and_not_blank(server):
    """'what=' (blank) exported the model and 'what=model&what=script' the first one,
    silently; '?run=' said 'unknown run' as if an id had been given."""
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Host": f"127.0.0.1:{server.port}", "X-Glassnet-Token": server.token}
    c.request(
        "POST",
        "/api/run",
        body=b'{"config": {"samples": 20}}',
        headers={**headers, "Content-Type": "application/json"},
    )
    rid = json.loads(c.getresponse().read())["run"]
    c.close()
    status, data = _get(server, f"/api/export?run={rid}&what=")
    assert status == 400 and "'model', 'script' or 'data'. Got ''" in json.loads(data)["error"]
    status, data = _get(server, f"/api/export?run={rid}&what=model&what=script")
    assert status == 400 and "gives 'what' 2 times" in json.loads(data)["error"]
    status, data = _get(server, "/api/state?run=")
    assert status == 400 and "'run' must be the id" in json.loads(data)["error"]
    assert _get(server, f"/api/export?run={rid}")[0] == 200  # the model, as before
    assert _get(server, f"/api/export?run={rid}&what=data")[0] == 200


def test_a_long_value_in_a_refused_field_is_cut_from_the_message(server):
    body = json.dumps({"config": {"lr": list(range(10_000))}}).encode()
    [(status, out)] = _answers(_raw(server, _post(server, "/api/run", body)))
    assert status == 400 and len(out["error"]) <= 400
    assert out["error"].startswith(
        "The 'lr' parameter of the playground must be a float in (0, 10]"
    )


@pytest.mark.parametrize(
    "target, word",
    [
        ({"kind": "neuron", "layer": 1, "index": 0, "from": 1}, "'from'"),
        ({"kind": "edge", "layer": 1, "from": 0, "to": 0, "index": 3}, "'index'"),
        ({"kind": "edge", "layer": 1, "from": 0, "to": 0, "value": 3}, "'value'"),
    ],
)
def test_a_target_has_its_kinds_fields_only(target, word):
    """A neuron target with an edge's 'from' (or any other field) was answered as if the
    field were not there: the user meant something else."""
    run = Run({"samples": 20})
    with pytest.raises(ParameterError, match=f"target.*no {word}"):
        run.explain(0, target)
    with pytest.raises(ParameterError, match=f"target.*no {word}"):
        run.set_weight(target, 1.0)
    before = run.parameters()
    assert np.array_equal(run.parameters(), before)


@pytest.mark.parametrize(
    "config, word",
    [
        (
            {
                "activation": "linear",
                "lr": 10,
                "hidden": [8] * 6,
                "features": ["x1", "x2", "x1^2", "x2^2", "x1x2"],
            },
            "loss became NaN, so",
        ),
        (
            {"problem": "regression", "lr": 10, "regularization": "L2", "reg_rate": 10},
            "loss became infinite, so",
        ),
    ],
)
def test_a_diverged_run_names_the_number_as_the_page_writes_it(config, word):
    """The message said 'became nan' and 'became inf' (Python's words)."""
    run = Run(config)
    with pytest.raises(Diverged, match=word):
        run.train(20)


# =====================================================================================
# Every activation, regularization and problem type: the step, the script, the model file
# =====================================================================================
CASES = [
    (problem, act, reg)
    for problem in ("classification", "regression")
    for act in ACTIVATIONS
    for reg in ("none", "L1", "L2")
]


def _config(problem, act, reg):
    return {
        "problem": problem,
        "dataset": "spiral" if problem == "classification" else "reg-gauss",
        "activation": act,
        "regularization": reg,
        "reg_rate": 0.01 if reg != "none" else 0.0,
        "hidden": [3, 2],
        "samples": 60,
        "batch_size": 7,
        "seed": 3,
        "features": ["x1", "x2", "sin_x1"],
    }


@pytest.mark.parametrize("problem, act, reg", CASES)
def test_step_script_and_model_file_for_every_setting(tmp_path, problem, act, reg):
    pytest.importorskip("safetensors")
    cfg = _config(problem, act, reg)
    # the step's table: dL/dw of the batch's mean loss from the autodiff graph, + penalty
    run = Run(cfg)
    rows = run.train_idx[np.random.default_rng([3, 2, 0]).permutation(len(run.train_idx))[:7]]
    out = run.model(gn.Tensor(run.X[rows]))
    if problem == "classification":
        loss = F.binary_cross_entropy(out, gn.Tensor(run.Y[rows]))
    else:
        loss = ((out - gn.Tensor(run.Y[rows])) ** 2).mean() * 0.5
    loss.backward()
    autodiff = np.concatenate([p.grad.ravel() for p in run.model.parameters()])
    names, w, g, after = map(np.array, zip(*run.step()["rows"]))
    weight = np.char.startswith(names.astype(str), "w")
    penalty = {"none": 0 * w, "L1": 0.01 * np.sign(w), "L2": 0.01 * w}[reg] * weight
    np.testing.assert_allclose(g, autodiff + penalty, rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(after, w - run.opt.lr * g)
    # the script replays the run bit for bit
    run.train(2)
    run.set_training({"lr": 0.05})
    run.step()
    path = tmp_path / "playground_run.py"
    path.write_text(run.script())
    ns = runpy.run_path(str(path), run_name="replay")
    mine = np.concatenate([p.data.ravel() for p in ns["model"].parameters()])
    np.testing.assert_array_equal(mine, run.parameters())
    # the model file predicts what the page shows
    model = tmp_path / "playground.glassnet"
    model.write_bytes(model_bytes(run))
    loaded = gn.io.load_model(model, network_only=True)
    np.testing.assert_array_equal(loaded.predict(run.X)[:, 0], run.viewer.forward(run.X)[-1][:, 0])


@pytest.mark.parametrize("problem", ["classification", "regression"])
@pytest.mark.parametrize("act", list(ACTIVATIONS))
def test_a_full_batch_step_is_glassnet_fits_step(problem, act):
    """The step's table against glassnet.fit itself: one epoch of one batch (every point,
    in the step's order) from the same weights reaches the table's w − γ·dL/dw."""
    import copy

    dataset, loss = (
        ("moons", "binary_cross_entropy")
        if problem == "classification"
        else ("reg-gauss", "half_mse")
    )
    run = Run(
        {
            "problem": problem,
            "dataset": dataset,
            "activation": act,
            "samples": 40,
            "train_ratio": 100,
            "batch_size": 40,
            "hidden": [3, 2],
            "lr": 0.1,
            "seed": 2,
        }
    )
    model = copy.deepcopy(run.model)
    update = run.step()
    rows = update["batch"]
    gn.fit(
        model,
        run.X[rows],
        run.Y[rows],
        loss=loss,
        lr=0.1,
        epochs=1,
        batch_size=40,
        shuffle=False,
        verbose=0,
    )
    after = np.array([r[3] for r in update["rows"]])
    np.testing.assert_array_equal(
        np.concatenate([p.data.ravel() for p in model.parameters()]), after
    )


def test_clients_that_go_away_mid_answer_leave_the_server_serving_and_quiet(capfd):
    """Two tabs: one resets its connection while its request trains (2,000 steps), the
    other keeps working, on a new run and on the busy one; nothing on the terminal."""
    pg = Playground().start()
    try:
        config = {"samples": 2000, "hidden": [8] * 3, "batch_size": 1, "grid": 200}
        [(_, out)] = _answers(
            _raw(pg, _post(pg, "/api/run", json.dumps({"config": config}).encode()))
        )
        rid = out["run"]
        per_epoch = len(pg.run_of(rid).train_idx)  # (steps: a batch of 1)
        for _ in range(3):  # (50 epochs: tens of seconds, unless the resets stop them)
            s = socket.create_connection(("127.0.0.1", pg.port))
            s.sendall(_post(pg, "/api/train", json.dumps({"run": rid, "epochs": 50}).encode()))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            time.sleep(0.2)  # (the server has read the request: it trains)
            s.close()  # a reset, before the answer
        [(status, _)] = _answers(_raw(pg, _post(pg, "/api/run", b'{"config": {"samples": 20}}')))
        assert status == 200
        status, data = _get(pg, f"/api/state?run={rid}")  # (waits for the trainings)
        # (a request whose client reset it stops training at the end of an epoch: whole
        # epochs, far fewer than the 3 x 50 asked)
        state = json.loads(data)
        assert status == 200 and state["step"] == state["epoch"] * per_epoch, state["step"]
        assert 1 <= state["epoch"] < 3 * 50, state["epoch"]
    finally:
        pg.close()
    assert capfd.readouterr().err == ""


def test_head_answers_a_gets_headers(server):
    """HEAD (curl -I) got '405: /api/previews takes GET, not HEAD'; now the GET's status and
    headers, no body. A refused one (no token) is still refused."""
    for path in ("/", "/static/app.js", "/api/previews"):
        raw = _raw(server, f"HEAD {path} HTTP/1.1\r\n{_head(server)}\r\n".encode())
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 ") and body == b"", (path, head[:80])
        assert (
            int(dict(h.split(": ", 1) for h in head.decode().split("\r\n")[1:])["Content-Length"])
            > 0
        )
    raw = _raw(
        server, f"HEAD /api/previews HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode()
    )
    assert raw.startswith(b"HTTP/1.1 403 ")
    assert _answers(_raw(server, _post(server, "/api/previews", b"{}")))[0][0] == 405


def test_close_ends_the_open_connections_too(capfd):
    """A page's keep-alive connection went on being served after close() (its handler
    thread kept reading it): a playing page trained on, on a stopped server."""
    pg = Playground().start()
    c = http.client.HTTPConnection("127.0.0.1", pg.port, timeout=10)
    headers = {"Host": f"127.0.0.1:{pg.port}", "X-Glassnet-Token": pg.token}
    c.request("GET", "/api/previews", headers=headers)
    assert c.getresponse().read() and c.sock is not None  # kept alive
    pg.close()
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        c.request("GET", "/api/previews", headers=headers)
        c.getresponse()
    c.close()
    time.sleep(0.3)  # (the handler thread ends)
    assert capfd.readouterr().err == ""


def test_a_connection_reset_between_requests_prints_nothing(capfd):
    """A tab closed abruptly resets its idle keep-alive connection: the handler's wait for
    the next request line raised ConnectionResetError, and socketserver printed its
    traceback on the terminal where the URL line is."""
    pg = Playground().start()
    try:
        for _ in range(3):
            s = socket.create_connection(("127.0.0.1", pg.port), timeout=10)
            s.sendall(f"GET /api/previews HTTP/1.1\r\n{_head(pg)}\r\n".encode())
            assert s.recv(100).startswith(b"HTTP/1.1 200 ")
            time.sleep(0.2)  # (the handler waits for the next request)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()  # a reset
        time.sleep(0.3)
        assert _get(pg, "/api/previews")[0] == 200
    finally:
        pg.close()
    assert capfd.readouterr().err == ""


def test_a_key_given_twice_in_a_body_is_refused(server):
    """{"epochs": 1, "epochs": 200} trained 200 epochs: json.loads keeps the last key."""
    body = b'{"config": {"samples": 20, "samples": 2000}}'
    [(status, out)] = _answers(_raw(server, _post(server, "/api/run", body)))
    assert status == 400 and "duplicate key 'samples': it appears twice" in out["error"]
    [(status, out)] = _answers(_raw(server, _post(server, "/api/run", b'{"config": {}}')))
    assert status == 200  # (a valid body still makes a run)


def test_a_negative_zero_rate_is_zero():
    """reg_rate -0.0 (JSON allows it) passed the check and was shown and exported as -0.0."""
    rate = Run({"regularization": "L2", "reg_rate": -0.0, "samples": 20}).config["reg_rate"]
    assert rate == 0.0 and np.copysign(1.0, rate) == 1.0


@pytest.mark.parametrize("token", [None, "", "x" * 32])
def test_every_route_needs_the_token(server, token):
    from glassnet.playground.server import ROUTES

    for path, (method, _) in ROUTES.items():
        headers = f"Host: 127.0.0.1:{server.port}\r\n"
        if token is not None:
            headers += f"X-Glassnet-Token: {token}\r\n"
        body = b'{"config": {}}' if method == "POST" else b""
        head = f"{method} {path} HTTP/1.1\r\n{headers}Content-Type: application/json\r\n"
        data = f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
        [(status, out)] = _answers(_raw(server, data))
        assert status == 403 and "token" in out["error"], (path, status)


def test_weights_set_by_hand_keep_the_loss_history_capped():
    """Each weight set by hand added a loss point past the cap training keeps (2,000)."""
    from glassnet.playground.engine import LIMITS

    run = Run({"samples": 20})
    target = {"kind": "neuron", "layer": 1, "index": 0}
    for k in range(LIMITS["history"] + 50):
        run.set_weight(target, k % 7 - 3.0)
    assert len(run.history) <= LIMITS["history"]
    assert run.history[-1][1:] == list(run._losses())
