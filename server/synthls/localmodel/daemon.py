"""The local model's server process: llama.cpp (``xllamacpp``) on a loopback port, one per user.

Started by :func:`synthls.localmodel.shared.ensure` (detached, so every editor window and CLI run
shares it) or in the foreground by ``synthls model serve``. Once the model is loaded and healthy
it writes its state file (pid, base URL, a random API key that only the user can read: other
users of the machine cannot spend its CPU), and it stops by itself after ``--idle`` seconds in
which no request was processed and no client touched the ``used`` file; it then removes its state
so the next request starts a fresh one. SIGTERM and SIGINT stop it the same way.

    python -m synthls.localmodel.daemon --model M.gguf --state DIR --idle 600
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import signal
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from synthls.localmodel import state as st

POLL = 2.0  # seconds between idle checks
_COUNTER = re.compile(r"^llamacpp:(n_decode_total|requests_processing)\s+([0-9.e+]+)$", re.M)


class ServeError(RuntimeError):
    """The server did not come up (its reason in the message)."""


def _healthy(address: str) -> bool:
    try:
        with urllib.request.urlopen(address + "/health", timeout=5) as response:
            return int(response.status) == 200
    except OSError:
        return False


def start(
    model: Path, *, threads: int, ctx: int, port: int, api_key: str, wait: float, parallel: int = 1
) -> Any:
    """llama.cpp's HTTP server on 127.0.0.1 (``port`` 0: any free one), healthy, and its address.

    ``parallel`` slots of ``ctx`` tokens each: one by default. Measured on 2 cores, a second
    slot raised the resident memory from 1.84 to 2.44 GiB and slowed each request's prompt
    reading (44 -> 38 tokens/s), so requests queue instead (the local engine waits for them)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # spinning threads starve a busy machine
    import xllamacpp as xlc  # type: ignore[import-untyped, unused-ignore]

    params: Any = xlc.CommonParams()
    params.model.path = str(model)
    params.n_ctx = ctx * parallel
    params.n_parallel = parallel
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.sampling.seed = 1234
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.endpoint_metrics = True
    if api_key:
        params.api_keys = [api_key]
    server = xlc.Server(params)
    address = str(server.listening_address).rstrip("/")
    deadline = time.monotonic() + wait
    while not _healthy(address):
        if time.monotonic() > deadline:
            raise ServeError(f"the llama.cpp server at {address} never became healthy")
        time.sleep(0.2)
    return server, address


def activity(server: Any) -> tuple[float, float]:
    """(decode calls so far, requests in progress) from the server's own metrics."""
    found = dict(_COUNTER.findall(str(server.handle_metrics())))
    return float(found.get("n_decode_total", 0)), float(found.get("requests_processing", 0))


def serve_until_idle(server: Any, folder: Path, idle: float, stop: list[bool]) -> None:
    """Return once ``idle`` seconds passed with no decode, no request and no client touch."""
    last_seen = activity(server)[0]
    busy_at = time.time()
    while not stop[0]:
        time.sleep(POLL)
        decodes, running = activity(server)
        if decodes != last_seen or running > 0:
            last_seen, busy_at = decodes, time.time()
        quiet_since = max(busy_at, st.last_used(folder))
        if idle > 0 and time.time() - quiet_since > idle:
            return


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--name", default="local", help="the model name clients ask for")
    ap.add_argument("--state", type=Path, required=True, help="the folder of the state file")
    ap.add_argument("--idle", type=float, default=600, help="stop after this many idle seconds")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--ctx", type=int, default=4096, help="context length per slot")
    ap.add_argument("--parallel", type=int, default=1, help="requests decoded together")
    ap.add_argument("--start-timeout", type=float, default=300)
    ap.add_argument("--no-key", action="store_true", help="serve without an API key")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    stop = [False]

    def _stop(*_: object) -> None:
        stop[0] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    key = "" if args.no_key else secrets.token_urlsafe(24)
    began = time.monotonic()
    os.dup2(2, 1)  # llama.cpp may write to stdout: it goes to the log with stderr
    try:
        server, address = start(
            args.model,
            threads=args.threads,
            ctx=args.ctx,
            parallel=args.parallel,
            port=args.port,
            api_key=key,
            wait=args.start_timeout,
        )
    except Exception as exc:  # the starter reads the reason from the log
        sys.stderr.write(f"synthls model server: {exc}\n")
        return 1
    loaded = time.monotonic() - began
    record = st.Record(
        pid=os.getpid(),
        base_url=address + "/v1",
        api_key=key,
        model=str(args.model),
        name=args.name,
        started=time.time(),
        idle=args.idle,
        load_seconds=round(loaded, 1),
    )
    st.write(args.state, record)
    sys.stderr.write(json.dumps({"ready": record.base_url, "load_seconds": loaded}) + "\n")
    sys.stderr.flush()
    try:
        serve_until_idle(server, args.state, args.idle, stop)
    finally:
        st.forget(args.state, os.getpid())
        with contextlib.suppress(Exception):
            del server
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
