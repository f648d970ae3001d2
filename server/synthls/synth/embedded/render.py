"""Print a found expression or statement list as a function body, with the imports it needs.

Modules are imported inside the body only when the file does not already import them, so the
body can be pasted into any function as is.
"""

from __future__ import annotations

_IMPORTS = {
    "math": ("import math", ("import math",)),
    "Counter": ("from collections import Counter", ("from collections import Counter",)),
}


def _has(imports: tuple[str, ...], line: str) -> bool:
    for imp in imports:
        flat = " ".join(imp.split())
        if flat == line or (
            line.startswith("from ")
            and flat.startswith(line.rsplit(" ", 1)[0])
            and line.rsplit(" ", 1)[1] in flat
        ):
            return True
    return False


def import_lines(mods: frozenset[str], imports: tuple[str, ...]) -> list[str]:
    out = []
    for mod in sorted(mods):
        line, _ = _IMPORTS[mod]
        if not _has(imports, line):
            out.append(line)
    return out


def render_body(
    code: str, mods: frozenset[str], imports: tuple[str, ...], statements: str | None = None
) -> str:
    """``return code`` (or the given statements) preceded by any missing import."""
    lines = import_lines(mods, imports)
    body = statements if statements is not None else f"return {code}"
    return "\n".join([*lines, body]) if lines else body
