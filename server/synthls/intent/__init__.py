"""What a function is asked to do: its docstring, the examples there and the comments asking for it,
read from the source with tree-sitter (the ``Spec`` of ``synthls.intent.model``)."""
