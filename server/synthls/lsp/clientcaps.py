"""What the client said it supports, read in one place: each LSP convention synthls adapts to.

The answers decide between two shapes of one feature (never both): code actions resolved lazily
or carrying a command, pull or push diagnostics, and whether actions may carry tags.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types


def resolves_edits(caps: types.ClientCapabilities) -> bool:
    """``codeAction/resolve`` may fill in ``edit``, and ``data`` survives the round trip."""
    action = caps.text_document.code_action if caps.text_document else None
    if action is None or not action.data_support or action.resolve_support is None:
        return False
    return "edit" in action.resolve_support.properties


def tags_model_actions(caps: types.ClientCapabilities) -> bool:
    """The client understands ``CodeActionTag.LLMGenerated`` (LSP 3.18)."""
    action = caps.text_document.code_action if caps.text_document else None
    tags = action.tag_support if action else None
    return tags is not None and types.CodeActionTag.LlmGenerated in tags.value_set


def pulls_diagnostics(caps: types.ClientCapabilities) -> bool:
    """The client asks for diagnostics (``textDocument/diagnostic``) instead of being sent them."""
    return caps.text_document is not None and caps.text_document.diagnostic is not None


def refreshes_diagnostics(caps: types.ClientCapabilities) -> bool:
    """The client pulls again when told to (``workspace/diagnostic/refresh``)."""
    workspace = caps.workspace.diagnostics if caps.workspace else None
    return bool(workspace and workspace.refresh_support)


@dataclass
class Conventions:
    """What this session's client supports, taken once at ``initialize``."""

    resolve_edits: bool = False
    tag_model_actions: bool = False
    pull_diagnostics: bool = False
    refresh_diagnostics: bool = False

    def take(self, caps: types.ClientCapabilities) -> None:
        self.resolve_edits = resolves_edits(caps)
        self.tag_model_actions = tags_model_actions(caps)
        self.pull_diagnostics = pulls_diagnostics(caps)
        self.refresh_diagnostics = refreshes_diagnostics(caps)
