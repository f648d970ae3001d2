"""What ``python -m doctest FILE`` decides, per example: ``{line (1-based): passed}`` as JSON.

Run as a script (``python tests/doctest_oracle.py FILE``): the module is imported the way
``python -m doctest`` imports it (its directory first on ``sys.path``, by its stem), and each
example's outcome is recorded by a ``DocTestRunner`` whose report hooks note success or failure.
Only the docstrings of functions (and methods, properties) are reported, the part synthls checks.
"""

from __future__ import annotations

import doctest
import inspect
import json
import os
import sys
from typing import Any


class _Recorder(doctest.DocTestRunner):
    def __init__(self) -> None:
        super().__init__(verbose=False)
        self.outcomes: dict[int, bool] = {}

    def _line(self, test: doctest.DocTest, example: doctest.Example) -> int:
        return (test.lineno or 0) + example.lineno + 1

    def report_start(self, out: Any, test: Any, example: Any) -> None:
        return None

    def report_success(self, out: Any, test: Any, example: Any, got: Any) -> None:
        self.outcomes[self._line(test, example)] = True

    def report_failure(self, out: Any, test: Any, example: Any, got: Any) -> None:
        self.outcomes[self._line(test, example)] = False

    def report_unexpected_exception(self, out: Any, test: Any, example: Any, exc: Any) -> None:
        self.outcomes[self._line(test, example)] = False


def _function(module: Any, name: str) -> Any:
    """The function (or property) a test's name points to, else None."""
    obj: Any = module
    for part in name.split(".")[1:]:
        obj = inspect.getattr_static(obj, part, None)
    obj = getattr(obj, "__func__", obj)
    return obj if inspect.isfunction(obj) or isinstance(obj, property) else None


def main(path: str) -> int:
    directory, filename = os.path.split(os.path.abspath(path))
    sys.path.insert(0, directory)
    module = __import__(filename[:-3])
    del sys.path[0]
    runner = _Recorder()
    finder = doctest.DocTestFinder()
    lines = inspect.getsource(module).splitlines(True)
    for test in finder.find(module):
        obj = _function(module, test.name)
        if obj is None:
            continue
        if test.lineno is None and isinstance(obj, property):  # doctest finds no line for these
            test.lineno = finder._find_lineno(obj.fget, lines)  # type: ignore[attr-defined]
        runner.run(test, out=lambda _text: None)
    sys.stdout.write(json.dumps(runner.outcomes) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
