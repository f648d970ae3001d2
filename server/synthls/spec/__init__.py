"""Specifications: what a target function must do, read from the source with tree-sitter."""
