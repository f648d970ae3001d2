"""``synthls model path | serve | status | stop``: the local model from the command line.

``path`` joins and checks the packaged model (or checks ``model.path``) and prints the file;
``serve`` runs the shared server in the foreground (Ctrl-C stops it), recorded like one started on
demand, so editors and CLI runs use it; ``status`` says whether it is installed, stopped,
starting or ready (with its URL, memory and idle time left); ``stop`` stops it now.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from synthls.localmodel import shared
from synthls.localmodel import state as st
from synthls.localmodel.weights import ModelError, ModelSource, source

if TYPE_CHECKING:
    from synthls.config import Settings

ACTIONS = ("path", "serve", "status", "stop")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    model = sub.add_parser("model", help="the local model: path, serve, status, stop")
    model.add_argument("action", choices=ACTIONS, help="what to do")
    model.add_argument("--port", type=int, default=0, help="serve: the port (0: any free one)")
    model.add_argument(
        "--idle", type=float, help="serve: stop after this many idle seconds (0: never)"
    )
    model.add_argument(
        "--no-key",
        action="store_true",
        help="serve: accept requests without the API key (other local users can use it)",
    )


def source_and_options(settings: Settings) -> tuple[ModelSource, shared.Options]:
    """The model and server options the settings name (``model.path``, ``model.idleMinutes``)."""
    model = settings.model
    return source(model.path or None), shared.Options(
        idle=model.idle_minutes * 60, threads=model.threads
    )


def run(args: argparse.Namespace, source: ModelSource, options: shared.Options) -> int:
    out = sys.stdout.write
    try:
        if args.action == "path":
            out(f"{source.path()}\n")
            return 0
        if args.action == "status":
            return _status(source)
        if args.action == "stop":
            record = shared.stop()
            out(f"stopped the local model (pid {record.pid})\n" if record else "not running\n")
            return 0
        return _serve(args, source, options)
    except ModelError as exc:
        sys.stderr.write(f"synthls: {exc}\n")
        return 1


def _status(source: ModelSource) -> int:
    now = shared.status(source)
    lines = [f"local model: {now.state} ({now.detail})"]
    record = now.record
    if record is not None:
        rss = shared.rss_bytes(record.pid)
        memory = f", {rss / 2**30:.2f} GiB resident" if rss else ""
        lines.append(f"server: {record.base_url} (pid {record.pid}{memory})")
        lines.append(f"model file: {record.model}")
    else:
        try:
            lines.append(f"model file: {source.path() if source.installed() else 'none'}")
        except ModelError as exc:
            lines.append(f"model file: {exc}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _serve(args: argparse.Namespace, source: ModelSource, options: shared.Options) -> int:
    """The shared server, in the foreground: the daemon itself, with this terminal's output."""
    from synthls.localmodel import daemon

    where = st.folder()
    if shared.running(where) is not None:
        sys.stderr.write("synthls: the local model is already running (synthls model status)\n")
        return 1
    idle = options.idle if args.idle is None else args.idle
    argv = ["--model", str(source.path()), "--name", source.name, "--state", str(where)]
    argv += ["--idle", str(idle), "--port", str(args.port), "--ctx", str(options.ctx)]
    if args.no_key:
        argv.append("--no-key")
    if options.threads:
        argv += ["--threads", str(options.threads)]
    return daemon.main(argv)
