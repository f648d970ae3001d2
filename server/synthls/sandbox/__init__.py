"""Run untrusted candidate code against examples in an isolated child process.

``Sandbox`` (async, long-lived, used by the server) and ``run_programs_sync`` (CLI, benchmarks)
are the entry points; ``verdict.check`` is the pure per-example comparison.
"""

from synthls.sandbox.client import Limits, Sandbox, run_programs_sync
from synthls.sandbox.types import ExampleResult, Program, RunResult

__all__ = ["ExampleResult", "Limits", "Program", "RunResult", "Sandbox", "run_programs_sync"]
