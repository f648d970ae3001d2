"""The docstring's words steer the search order: a small, hand-written, explainable prior.

Each rule names words a programmer uses for an idea and the components (or constants) that
express it. A component pointed at by a word in the docstring costs about half as much, so programs
built from it are tried earlier; nothing here names or recognises a particular task.
"""

from __future__ import annotations

import math

from synthls.synth.embedded.components import Comp

# component name -> word stems that make it cheaper (matched as prefixes of docstring words)
COMPONENT_WORDS: dict[str, tuple[str, ...]] = {
    "sorted": ("sort", "order", "ascending", "arrange"),
    "sorted_rev": ("sort", "descending", "largest", "order"),
    "reverse": ("revers", "backward", "palindrom"),
    "set": ("unique", "distinct", "duplicate", "common", "shared", "union", "intersect", "differ"),
    "setand": ("common", "shared", "intersect", "both"),
    "setor": ("union", "either", "combine"),
    "even": ("even",),
    "odd": ("odd",),
    "divides": ("divisib", "divisor", "factor", "multiple", "divide"),
    "notin": ("remov", "present", "without", "exclud", "not in", "except"),
    "setsub": ("differ", "remove", "missing", "not in"),
    "setxor": ("dissimilar", "symmetric"),
    "len": ("count", "number", "length", "size", "long", "how many"),
    "count": ("count", "occur", "frequen", "times"),
    "counter": ("frequen", "occur", "count"),
    "sum": ("sum", "total", "add", "cumulative", "average", "mean"),
    "max": ("max", "larg", "long", "big", "great", "highest"),
    "min": ("min", "small", "short", "least", "lowest"),
    "max2": ("max", "larg", "big", "great"),
    "min2": ("min", "small", "least"),
    "upper": ("upper", "capital"),
    "lower": ("lower", "small"),
    "isupper": ("upper", "capital"),
    "islower": ("lower",),
    "isdigit": ("digit", "numeric", "number"),
    "isalpha": ("alpha", "letter"),
    "split": ("word", "split", "sentence"),
    "splitby": ("split", "separat"),
    "join": ("join", "concat", "string", "merge"),
    "replace": ("replac", "remove", "substitut", "space"),
    "strip": ("strip", "trim", "whitespace"),
    "startswith": ("start", "begin", "prefix"),
    "endswith": ("end", "suffix"),
    "abs": ("abs", "distance", "differ"),
    "round": ("round",),
    "round2": ("round", "decimal"),
    "pow": ("power", "square", "cube", "exponent"),
    "mul": ("product", "multipl", "times", "area", "volume", "square", "cube"),
    "div": ("divid", "average", "mean", "ratio", "half"),
    "floordiv": ("quotient", "divid", "integer"),
    "mod": ("even", "odd", "divisib", "remainder", "modulo", "multiple", "digit"),
    "sub": ("differ", "subtract", "minus", "less"),
    "add": ("add", "sum", "plus", "total"),
    "concat": ("concat", "append", "add", "join", "merge", "combine"),
    "index": ("first", "second", "third", "last", "element", "index", "position", "nth"),
    "from": ("after", "remove", "first", "drop", "rest"),
    "to": ("first", "before", "prefix"),
    "step": ("alternate", "even", "odd", "every"),
    "sqrt": ("sqrt", "root", "hypot", "diagonal", "distance"),
    "factorial": ("factorial",),
    "gcd": ("gcd", "common divisor", "greatest"),
    "comb": ("binomial", "combination", "choose"),
    "prod": ("product", "multipl"),
    "bin": ("binary", "bit"),
    "bitand": ("bit", "and"),
    "bitxor": ("xor", "bit", "toggle"),
    "bitor": ("bit", "or"),
    "zip": ("pair", "zip", "element wise", "elementwise", "corresponding"),
    "dictzip": ("dict", "map", "key"),
    "tuple": ("tuple",),
    "list": ("list",),
    "dict": ("dict",),
    "str": ("string", "digit", "str"),
    "int": ("integer", "int", "convert", "digit"),
    "in": ("contain", "present", "exist", "member", "in", "vowel"),
    "any": ("any", "exist", "some", "contain"),
    "all": ("all", "every", "each"),
    "title": ("title", "capitaliz", "camel"),
    "capitalize": ("capitaliz", "camel"),
    "swapcase": ("toggle", "swap", "case"),
    "keys": ("key",),
    "values": ("value",),
    "items": ("item", "pair"),
    "range": ("range", "first", "natural", "sequence"),
    "range2": ("range", "between", "from"),
}

# word stem -> constants worth trying (value, code, modules)
CONSTANT_WORDS: dict[str, tuple[tuple[object, str, frozenset[str]], ...]] = {
    "vowel": (("aeiou", "'aeiou'", frozenset()), ("aeiouAEIOU", "'aeiouAEIOU'", frozenset())),
    "pi": ((math.pi, "math.pi", frozenset({"math"})),),
    "circ": ((math.pi, "math.pi", frozenset({"math"})),),
    "sphere": ((math.pi, "math.pi", frozenset({"math"})),),
    "cylind": ((math.pi, "math.pi", frozenset({"math"})),),
    "cone": ((math.pi, "math.pi", frozenset({"math"})),),
    "radi": ((math.pi, "math.pi", frozenset({"math"})),),
    "space": ((" ", "' '", frozenset()),),
    "word": ((" ", "' '", frozenset()),),
    "even": ((2, "2", frozenset()),),
    "odd": ((2, "2", frozenset()),),
    "alternat": ((2, "2", frozenset()),),
    "square": ((2, "2", frozenset()),),
    "cube": ((3, "3", frozenset()),),
    "ten": ((10, "10", frozenset()),),
    "digit": ((10, "10", frozenset()),),
    "hundred": ((100, "100", frozenset()),),
    "first": ((0, "0", frozenset()),),
    "second": ((1, "1", frozenset()),),
    "third": ((2, "2", frozenset()),),
    "last": ((-1, "-1", frozenset()),),
    "rear": ((-1, "-1", frozenset()),),
}


def _hit(stems: tuple[str, ...], words: frozenset[str], text: str) -> bool:
    for stem in stems:
        if " " in stem:
            if stem in text:
                return True
        elif len(stem) <= 2:
            if stem in words:
                return True
        elif any(w.startswith(stem) for w in words):
            return True
    return False


def component_cost(comp: Comp, words: frozenset[str], text: str) -> int:
    """The component's cost for this docstring: about half when its words appear."""
    stems = COMPONENT_WORDS.get(comp.name, ())
    if stems and _hit(stems, words, text):
        return max(1, (comp.cost + 1) // 2)
    return comp.cost


def word_constants(words: frozenset[str]) -> list[tuple[object, str, frozenset[str]]]:
    """Constants the docstring's words suggest, in a fixed order."""
    out: list[tuple[object, str, frozenset[str]]] = []
    for stem, consts in CONSTANT_WORDS.items():
        if any(w.startswith(stem) for w in words):
            for c in consts:
                if c not in out:
                    out.append(c)
    return out
