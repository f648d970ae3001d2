"""Extract examples from a docstring.

One extractor serves the sandbox, the synthesizers and the diagnostics, so an example that is
checked is the same example that is reported, on the same line.
"""

from __future__ import annotations

import doctest

from synthls.spec.model import Example

_PARSER = doctest.DocTestParser()
_FLAG_NAMES = {value: name for name, value in doctest.OPTIONFLAGS_BY_NAME.items()}


def extract_examples(
    docstring: str, first_line: int = 0, func_name: str = ""
) -> tuple[Example, ...]:
    """Examples stated in ``docstring``; line numbers are offset by ``first_line``.

    ``first_line`` is the document line holding the docstring's first text line.
    """
    try:
        parsed = _PARSER.get_examples(docstring)
    except ValueError:  # inconsistent indentation etc.: fall back to nothing rather than crash
        return ()
    out: list[Example] = []
    for ex in parsed:
        flags = tuple(
            sorted(_FLAG_NAMES[f] for f, on in ex.options.items() if on and f in _FLAG_NAMES)
        )
        want = ex.want
        n_lines = ex.source.count("\n") + want.count("\n")
        out.append(
            Example(
                source=ex.source.rstrip("\n"),
                want=want,
                line=first_line + ex.lineno,
                style="doctest",
                flags=flags,
                exc_msg=ex.exc_msg,
                end_line=first_line + ex.lineno + max(n_lines - 1, 0),
            )
        )
    return tuple(out)
