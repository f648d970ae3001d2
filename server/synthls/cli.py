"""Command line: serve LSP over stdio (default), or do the same work headless.

    synthls                      serve the language server over stdio
    synthls synth PATH           fill stub functions; print a diff (or --write) and a report
    synthls synth -              read the source from stdin, print the whole result to stdout
    synthls check PATH           run every function's examples in the sandbox (PATH may be -)
    synthls doctor               the engine a request would use, the local model, the
                                 platform, sandbox layers and a self-test
    synthls model ACTION         the local model: path, serve, status, stop

Settings come from the ``[tool.synthls]`` table of the nearest pyproject.toml (from PATH's
directory; for ``-`` and ``doctor`` from the current one) and the environment; ``synth``'s flags
(``--deadline``, ``--rounds``, ``--model``, ``--base-url``, ``--candidates``) override both. What
the project file changed, and what it may not change (``synthls.project_rules.FROM_PROJECT``), is one
line on stderr.

Exit codes: 0 success, 1 some function not verified / some example failed, 2 usage or input
error, or nothing was written because the file changed meanwhile or cannot be written (the diff
is printed instead). Reports go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
from pathlib import Path

from synthls import __version__
from synthls.config import ENGINES, Settings, load, override
from synthls.source_file import STDIN, InputError

# flag -> (setting, type, help): the common settings, on top of the file and the environment
FLAGS: dict[str, tuple[str, type[object], str]] = {
    "--deadline": ("deadline", float, "seconds one function may take in total"),
    "--rounds": ("rounds", int, "propose/verify rounds (failures are fed back between them)"),
    "--model": ("openai.model", str, "model name sent to the OpenAI-compatible endpoint"),
    "--base-url": (
        "openai.base_url",
        str,
        "base URL of the endpoint (e.g. http://localhost:8080/v1)",
    ),
    "--candidates": ("openai.candidates", int, "candidates per feedback round (openai engine)"),
}


def settings_root(args: argparse.Namespace) -> Path:
    """Where the search for pyproject.toml starts: PATH's directory, else the current one."""
    path = getattr(args, "path", None)
    return Path.cwd() if path in (None, STDIN) else Path(path).parent


def with_flags(settings: Settings, args: argparse.Namespace) -> Settings:
    """``settings`` with the values of the flags given; InputError for a bad one."""
    problems: list[str] = []
    for flag, (path, _, _) in FLAGS.items():
        value = getattr(args, flag[2:].replace("-", "_"), None)
        if value is not None:
            settings, bad = override(settings, path, value, flag)
            problems += bad
    if problems:
        raise InputError("; ".join(problems))
    return settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synthls",
        description="Synthesize Python function bodies from docstrings, verified against their "
        "examples. With no command, serve the language server over stdio.",
    )
    parser.add_argument("--version", action="version", version=f"synthls {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("serve", help="serve the language server over stdio (the default)")
    synth = sub.add_parser("synth", help="fill stub functions and print a unified diff")
    synth.add_argument("path", metavar="PATH", help="a Python file, or - for stdin to stdout")
    synth.add_argument("--function", metavar="NAME", help="only this function (stub or not)")
    synth.add_argument("--write", action="store_true", help="write the file instead of a diff")
    synth.add_argument("--engine", choices=ENGINES, help="engine (default: from settings)")
    for flag, (_, kind, text) in FLAGS.items():
        metavar = (
            "SECONDS" if kind is float else "N" if kind is int else flag[2:].split("-")[-1].upper()
        )
        synth.add_argument(
            flag, type=kind, metavar=metavar, help=f"{text} (default: from settings)"
        )
    synth.add_argument(
        "--fits",
        action="store_true",
        help="also write bodies that only fit the examples (no model read the description)",
    )
    synth.add_argument(
        "--ask",
        action="store_true",
        help="when several behaviours pass the examples, ask on the terminal which is meant",
    )
    check = sub.add_parser("check", help="run the examples of every function in the sandbox")
    check.add_argument("path", metavar="PATH", help="a Python file, or - for stdin")
    check.add_argument("--json", action="store_true", help="print one JSON document")
    sub.add_parser("doctor", help="show the platform, sandbox layers and a self-test")
    from synthls.localmodel.commands import add_parser

    add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "serve"
    if command == "serve":
        from synthls.lsp.wiring import serve

        serve()
        return 0
    logging.basicConfig(level=logging.WARNING, format="synthls: %(name)s: %(message)s")
    # asyncio reports a search process it had already reaped after a kill; that is not news
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    loaded = load(None, root=settings_root(args))
    settings = loaded.settings
    for problem in loaded.problems:
        sys.stderr.write(f"synthls: setting ignored: {problem}\n")
    if loaded.project is not None:  # what the project file changed and was refused: one line
        sys.stderr.write(f"synthls: {loaded.project.text()}\n")
    try:
        if command == "doctor":
            from synthls.localmodel.doctor import engine_report
            from synthls.sandbox.doctor import doctor_report

            text, ok = doctor_report()
            sys.stdout.write(engine_report(settings) + "\n" + text + "\n")
            return 0 if ok else 1
        if command == "model":
            from synthls.localmodel.commands import run, source_and_options

            return run(args, *source_and_options(settings))
        from synthls import cli_commands

        if command == "synth":
            if args.fits:
                settings = dataclasses.replace(settings, insert_fitting=True)
            return asyncio.run(cli_commands.synth(args, with_flags(settings, args)))
        return asyncio.run(cli_commands.check(args, settings))
    except InputError as exc:
        sys.stderr.write(f"synthls: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
