"""The editor clients document and send exactly the server's settings, with its defaults.

The server's settings tree (``synthls.config.Settings``) is the source of truth; the VS Code
extension contributes each key (``editors/vscode/package.json``) and the Settings table of
``README.md`` tabulates it. A key added, renamed or re-defaulted on one side only fails here.
(Named ``test_nvim_*`` for file ownership; it covers both editors.)
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from synthls.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "editors" / "vscode" / "package.json"
README = ROOT / "README.md"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def server_defaults(obj: Any = None, prefix: str = "") -> dict[str, Any]:
    """Dotted camelCase key -> default, for every leaf of the server's settings tree."""
    obj = Settings() if obj is None else obj
    out: dict[str, Any] = {}
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        key = prefix + _camel(field.name)
        if dataclasses.is_dataclass(value):
            out.update(server_defaults(value, key + "."))
        else:
            out[key] = value
    return out


def contributed() -> dict[str, Any]:
    props = json.loads(PACKAGE.read_text())["contributes"]["configuration"]["properties"]
    return {
        key.removeprefix("synthls."): prop
        for key, prop in props.items()
        if not key.startswith(("synthls.server.", "synthls.trace."))
    }


def test_vscode_contributes_every_server_setting_and_no_other() -> None:
    assert sorted(contributed()) == sorted(server_defaults())


def test_vscode_defaults_equal_the_server_defaults() -> None:
    props = contributed()
    for key, default in server_defaults().items():
        assert props[key]["default"] == default, key
        assert props[key].get("description"), key


def test_vscode_enums_are_the_values_the_server_accepts() -> None:
    props = contributed()
    for key in ("engine", "logLevel"):
        for value in props[key]["enum"]:
            _, problems = load_settings({key: value}, env={})
            assert problems == [], (key, value, problems)
        _, problems = load_settings({key: "no-such-value"}, env={})
        assert problems, key


def test_the_defaults_tree_the_clients_send_is_accepted_silently() -> None:
    tree: dict[str, Any] = {}
    for key, prop in contributed().items():
        node = tree
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = prop["default"]
    settings, problems = load_settings({"synthls": tree}, env={})
    assert problems == []
    assert settings == Settings()


def test_the_readme_tabulates_every_server_setting_with_its_default() -> None:
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `([\w.]+)` \| `([^`]*)` \|", README.read_text(), re.M)
    }
    for key, default in server_defaults().items():
        assert key in rows, f"README.md has no row for {key}"
        assert json.loads(rows[key]) == default, key
