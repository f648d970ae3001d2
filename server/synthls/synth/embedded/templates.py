"""Statement templates for what one expression cannot say (filled in below)."""

from __future__ import annotations

from typing import Any


def run_templates(search: Any) -> None:
    return None
