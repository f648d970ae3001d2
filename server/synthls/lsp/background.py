"""Whole-file work kept off the event loop, so a big file never stalls the other requests.

Reading a document's functions and their docstrings' examples (``synthls.intent.targets``) is done
in a worker thread (``read``), on a ``snapshot`` of the document: the editor's changes edit the open
document in place while the thread reads. The reading takes linear time, but a big file has many
docstrings, and requests for other documents must not wait for them.

Checking a function runs the whole module, and whether the module compiles decides how
(``synth.module_text.module_with_body``). ``compile`` of a 50,000-line file takes a quarter of a second
and holds the GIL all along, so even in a thread it stops the server reading requests: a big text is
compiled in a separate Python process instead, and the answer is remembered for the checks.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import logging
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from synthls.intent.document import Document
from synthls.synth.module_text import note_compiles

log = logging.getLogger(__name__)
_NO = 3  # exit status for "does not compile" (1 is any uncaught error: unknown)
BIG = 200_000  # characters: below this, compiling in the server takes a few milliseconds
_CHECK = (
    "import sys\n"
    "try:\n"
    "    compile(sys.stdin.buffer.read().decode('utf-8', 'surrogatepass'), '<candidate>', 'exec',"
    " dont_inherit=True)\n"
    "except (SyntaxError, ValueError):\n"
    f"    sys.exit({_NO})\n"
)


P = ParamSpec("P")
T = TypeVar("T")


def snapshot(doc: Document) -> Document:
    """A copy of ``doc`` that later changes to ``doc`` leave alone (the tree is copied: a change
    edits it in place), for a thread to read."""
    copied = copy.copy(doc)
    copied.tree = doc.tree.copy()
    copied.cache = {}
    return copied


async def read(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` in a worker thread: reading targets and examples off the loop.
    Pass it ``snapshot``s of open documents, never the documents themselves."""
    return await asyncio.to_thread(fn, *args, **kwargs)


def module_digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


async def digest(text: str) -> str:
    return await asyncio.to_thread(module_digest, text) if len(text) >= BIG else module_digest(text)


async def precompile(text: str) -> None:
    """Find out whether the module of ``text`` compiles, off the loop for a big text."""
    if len(text) < BIG:
        return  # the check will compile it in process, quickly
    source = text.replace("\r\n", "\n")  # as module_with_body compiles it
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-I",
            "-c",
            _CHECK,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await proc.communicate(source.encode("utf-8", "surrogatepass"))
        except asyncio.CancelledError:
            proc.kill()
            raise
    except OSError as exc:
        log.info("could not compile off the loop (%s): checks compile in process", exc)
        return
    if proc.returncode in (0, _NO):  # anything else (out of memory...): the check finds out
        note_compiles(source, proc.returncode == 0)
