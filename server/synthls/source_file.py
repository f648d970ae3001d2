"""A Python source as the command line reads it: a file, or stdin for ``-``.

The CLI's commands (``synthls.cli_commands``) and its entry (``synthls.cli``) both read sources; this
module is below both, so neither imports the other for it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

PY_SUFFIXES = {".py", ".pyw", ".pyi"}


class InputError(Exception):
    """A problem with the user's input: reported on stderr, exit code 2."""


STDIN = "-"


@dataclass(frozen=True)
class Source:
    """A Python source as read: its text, the bytes it came from, and the file (None: stdin)."""

    text: str
    data: bytes
    file: Path | None


def read_source(path: str) -> Source:
    """The Python file at ``path``, or stdin for ``-``; InputError when it is not one.

    Input from stdin that cannot be used is echoed back to stdout, so an editor filter
    (``:%!synthls synth -``) keeps the buffer."""
    file = None if path == STDIN else Path(path)
    if file is None:
        data = sys.stdin.buffer.read()
    elif not file.exists():
        raise InputError(f"{path}: no such file")
    elif file.is_dir():
        raise InputError(f"{path}: is a directory, expected a Python file")
    else:
        data = file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        if file is None:
            echo(data)
        raise InputError(f"{path}: not a Python file (not UTF-8 text)") from None
    first = text.split("\n", 1)[0]
    python_script = first.startswith("#!") and "python" in first
    if file is not None and file.suffix not in PY_SUFFIXES and not python_script:
        raise InputError(f"{path}: not a Python file (expected a .py file)")
    return Source(text, data, file)


def read_python(path: str) -> str:
    return read_source(path).text


def echo(data: bytes) -> None:
    """Write ``data`` to stdout as it is."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
