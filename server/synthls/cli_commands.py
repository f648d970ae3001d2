"""The CLI's `synth` and `check` commands: the LSP's work without an editor."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import difflib
import json
import sys
import warnings
from pathlib import Path
from typing import Any

from synthls.ask_tty import TerminalAsk
from synthls.config import Settings
from synthls.fileio import FileChanged, digest, write_atomic
from synthls.intent.collected import collected
from synthls.intent.docedit import add_examples
from synthls.intent.document import Document
from synthls.intent.model import FunctionTarget
from synthls.intent.targets import find_functions
from synthls.sandbox import Limits, Sandbox
from synthls.sandbox.types import ExampleResult, RunResult
from synthls.source_file import InputError, Source, echo, read_python, read_source
from synthls.synth.module_text import document_with_body, replace_span
from synthls.synth.report import describe_result
from synthls.synth.service import SynthReport, check_target, synthesize_target

CHECK_STATUS = {"passed": "passed", "failed": "failed", "timeout": "timeout", "not_run": "timeout"}


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def make_sandbox(settings: Settings) -> Sandbox:
    s = settings.sandbox
    return Sandbox(Limits(timeout=s.timeout, memory_mb=s.memory_mb, parallel=s.parallel))


def _targets(doc: Document, name: str | None, path: str) -> list[FunctionTarget]:
    functions = find_functions(doc)
    if name is None:
        return [t for t in functions if t.is_stub]
    chosen = [t for t in functions if t.spec.name == name]
    if not chosen:
        raise InputError(f"{path}: no function named {name!r}")
    return chosen


def _diff_names(path: str) -> tuple[str, str]:
    """git-style names for a relative path; absolute paths are shown as they are."""
    return (path, path) if Path(path).is_absolute() else (f"a/{path}", f"b/{path}")


def _print_report(report: SynthReport, args: argparse.Namespace) -> None:
    line = report.target.def_line + 1
    first, *rest = report.message.split(": ", 1)[-1].splitlines() or [""]
    if report.status == "ambiguous" and report.body is None and not getattr(args, "ask", False):
        first += "; rerun with --ask"
    if report.status == "fits" and report.body is not None:
        rest = [*rest, *(f"| {ln}" for ln in report.body.splitlines()[:12])]
    _err(f"{report.status:>10}  {report.target.spec.name} (line {line}): {first}")
    for detail in (*rest, *report.details):
        _err(f"            {detail}")


async def synth(args: argparse.Namespace, settings: Settings) -> int:
    source = read_source(args.path)
    try:
        return await _synth(args, settings, source)
    except BaseException:
        if source.file is None:
            echo(source.data)  # an editor filter keeps its buffer
        raise


async def _synth(args: argparse.Namespace, settings: Settings, source: Source) -> int:
    from synthls.synth.engines import make_engines

    text = source.text
    doc = Document(text)
    targets = _targets(doc, args.function, args.path)
    if doc.tree.root_node.has_error:
        _err(f"synthls: {args.path} has syntax errors; working on the intact functions only")
    if not targets:
        _err(f"synthls: {args.path}: no stub functions to fill")
        _emit(args, source, text)
        return 0
    engines = make_engines(settings, args.engine)
    ask = terminal_ask(args)
    if getattr(args, "ask", False):  # --ask asks whatever ask.ambiguous says
        settings = dataclasses.replace(
            settings, ask=dataclasses.replace(settings.ask, ambiguous="ask")
        )
    sandbox = make_sandbox(settings)
    await sandbox.start()
    try:
        gate = asyncio.Semaphore(2)

        async def one(t: FunctionTarget) -> SynthReport:
            async with gate:
                return await synthesize_target(text, t, engines, sandbox, settings, ask=ask)

        reports = await asyncio.gather(*(one(t) for t in targets))
    finally:
        await sandbox.close()
    new_text = with_reports(text, reports, write_fitting=settings.insert_fitting)
    for report in reports:
        _print_report(report, args)
    if pending_questions(reports) and getattr(args, "ask", False) and ask is None:
        _err("synthls: questions need a terminal (--ask without a TTY); nothing written")
        return 1
    written = _emit(args, source, new_text)
    verified = sum(r.status == "verified" for r in reports)
    fitting = sum(r.status == "fits" for r in reports)
    _err(
        f"synthls: {verified} of {len(reports)} function(s) verified" + _fitting(fitting, settings)
    )
    if not written:
        return 2
    done = verified + (fitting if settings.insert_fitting else 0)  # --fits: written is done
    return 0 if done == len(reports) else 1


def _with_final_newline(old: str, new: str) -> str:
    if new == old or not new or new.endswith(("\n", "\r")):
        return new
    return new + ("\r\n" if "\r\n" in old else "\n")


def _emit(args: argparse.Namespace, source: Source, new_text: str) -> bool:
    """The result: stdin's to stdout whole, else a diff or the file written; False when the
    file could not be written (the diff is printed instead, so nothing is lost)."""
    new_text = _with_final_newline(source.text, new_text)
    broken = None if new_text == source.text else _compile_error(new_text, args.path)
    if broken is not None and _compile_error(source.text, args.path) is None:
        _err(f"synthls: the result would not compile: {broken}; nothing written")
        if source.file is None:
            echo(source.data)  # an editor filter keeps its buffer
        return False
    if source.file is None:
        sys.stdout.write(new_text)
        return True
    if new_text == source.text:
        return True
    if not args.write:
        _print_diff(args.path, source.text, new_text)
        return True
    try:
        write_atomic(source.file, new_text.encode("utf-8"), digest(source.data))
    except FileChanged:
        _err(
            f"synthls: {args.path} changed since synthls read it; not written, so nothing is "
            "lost. The changes synthls would have made are printed as a diff against the text "
            "it read; run synthls again to work on the new text."
        )
    except OSError as exc:
        why = exc.strerror or str(exc)
        _err(
            f"synthls: cannot write {args.path}: {why}; not written. The changes are printed as a diff."
        )
    else:
        _err(f"synthls: wrote {args.path}")
        return True
    _print_diff(args.path, source.text, new_text)
    return False


def _print_diff(path: str, old: str, new: str) -> None:
    diff = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), *_diff_names(path)
    )
    sys.stdout.writelines(diff)


def terminal_ask(args: argparse.Namespace) -> TerminalAsk | None:
    """The terminal's ``Ask`` for ``--ask`` when stdin is a terminal, else None."""
    if not getattr(args, "ask", False) or not sys.stdin.isatty():
        return None
    return TerminalAsk(sys.stdin, sys.stderr)


def pending_questions(reports: list[SynthReport]) -> list[SynthReport]:
    return [r for r in reports if r.status == "ambiguous" and r.body is None]


def _fitting(n: int, settings: Settings) -> str:
    """The summary's words on bodies that only fit the examples."""
    if not n:
        return ""
    if settings.insert_fitting:
        return f"; {n} only fit the examples (written: insertFitting is on)"
    return (
        f"; {n} only fit the examples, not written: nothing read the description "
        '(pip install "synthls[local]" for a model that does, or --fits to write them anyway)'
    )


def with_reports(text: str, reports: list[SynthReport], *, write_fitting: bool = False) -> str:
    """``text`` with the bodies to insert and, in the docstrings, the answered questions. A body
    that only fits the examples is inserted only when ``write_fitting`` (an explicit setting)."""
    new_text = text
    for report in sorted(reports, key=lambda r: -r.target.body_span.start.line):
        written = report.status != "fits" or write_fitting
        if report.body is not None and report.status != "unverified" and written:
            new_text = document_with_body(new_text, report.target, report.body)
        if report.answers and report.target.docstring_span is not None:
            try:
                span, doc = add_examples(text, report.target, report.answers)
            except ValueError as exc:  # e.g. a raw docstring cannot hold the answer's quotes
                _err(f"synthls: {exc}; the answers stay out of the docstring:")
                for ex in report.answers:
                    _err(f"            >>> {ex.source}\n            {ex.want.strip()}")
            else:
                new_text = replace_span(new_text, span, doc)
    return new_text


def _compile_error(text: str, path: str) -> str | None:
    """Why ``text`` does not compile (it is not run), None when it does."""
    try:
        with warnings.catch_warnings():  # the user's invalid escapes are not ours to report
            warnings.simplefilter("ignore")
            compile(text, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        return f"{getattr(exc, 'msg', None) or exc}" + (f" (line {line})" if line else "")
    return None


def _out(text: str) -> None:
    """``text`` on stdout, what its encoding cannot write (a lone surrogate from an example's
    escape, a non-ASCII name on an ASCII terminal) written as a backslash escape."""
    encoding = sys.stdout.encoding or "utf-8"
    sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding, "replace"))


def _example_json(target: FunctionTarget, res: RunResult) -> list[dict[str, Any]]:
    rows = []
    for ex, r in res.per_example(target.spec.examples):
        if res.status == "setup_error":
            r = ExampleResult(r.index, "error", exc_type="SetupError", exc_msg=res.setup_error)
        got = r.got if r.status != "error" else f"{r.exc_type}: {r.exc_msg}"
        rows.append(
            {
                "line": ex.line + 1,
                "source": ex.source,
                "want": ex.exc_msg or ex.want,
                "status": CHECK_STATUS.get(r.status, "error"),
                "got": got,
                "detail": describe_result(ex, r),
            }
        )
    return rows


def project_root(path: str) -> str:
    """The nearest parent of ``path`` with pyproject.toml, setup.py or .git, else its directory."""
    here = Path(path).resolve().parent
    for folder in (here, *here.parents):
        if any((folder / name).exists() for name in ("pyproject.toml", "setup.py", ".git")):
            return str(folder)
    return str(here)


async def check(args: argparse.Namespace, settings: Settings) -> int:
    text = read_python(args.path)
    project = project_root(args.path)
    doc = Document(text)
    targets = [t for t in collected(doc, find_functions(doc)) if t.spec.examples]
    path = str(Path(args.path).resolve()) if Path(args.path).is_file() else None
    sandbox = make_sandbox(settings)
    await sandbox.start()
    try:
        results = await asyncio.gather(
            *(
                check_target(
                    text,
                    t,
                    sandbox,
                    settings.sandbox.timeout,
                    path=path,
                    trust="user",
                    project=project,
                )
                for t in targets
            )
        )
    finally:
        await sandbox.close()
    rows = [(t, _example_json(t, r)) for t, r in zip(targets, results)]
    functions = [{"name": t.spec.name, "line": t.def_line + 1, "examples": ex} for t, ex in rows]
    failed = sum(1 for _, ex in rows for e in ex if e["status"] != "passed")
    if args.json:
        sys.stdout.write(json.dumps({"path": args.path, "functions": functions}, indent=2) + "\n")
    else:
        for t, ex in rows:
            for e in ex:
                mark = "ok  " if e["status"] == "passed" else "FAIL"
                _out(f"{mark} {args.path}:{e['line']} {t.spec.name}: {e['source']}")
                _out("\n" if e["status"] == "passed" else f"  -- {e['detail']}\n")
        total = sum(len(ex) for _, ex in rows)
        _out(f"{total - failed} passed, {failed} failed\n")
    return 1 if failed else 0
