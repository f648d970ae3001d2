"""Doctest cases that are easy to judge wrongly; some fail on purpose (doctest fails them too)."""

import math


class Invalid(Exception):
    """An error defined here: doctest names it ``tricky.Invalid``."""


def no_newline(text):
    """
    >>> no_newline("abc")
    abc
    >>> no_newline("")
    >>> no_newline("a\\nb")
    a
    b
    >>> no_newline("x")
    x
    <BLANKLINE>
    """
    print(text, end="")


def floats(x):
    """
    >>> floats(1)
    0.5403023058681398
    >>> floats(0.1 + 0.2)
    0.9553364891256059
    >>> 0.1 + 0.2
    0.30000000000000004
    >>> 0.1 + 0.2
    0.3
    >>> math.cos(5)
    0.2836621854632268
    >>> floats(0)
    1
    >>> 1234567.89
    1234568.0
    """
    return math.cos(x)


def literals():
    """
    >>> literals()
    ['a', 1]
    >>> literals()
    ["a", 1]
    >>> literals()
    ['a',1]
    >>> literals()  # doctest: +NORMALIZE_WHITESPACE
    ['a',   1]
    >>> str(literals()[1])
    '1'
    >>> literals()[1] == 1
    True
    >>> literals()[1] == 1
    1
    >>> literals()[1] == 1  # doctest: +DONT_ACCEPT_TRUE_FOR_1
    1
    >>> literals() == ['a', 1]
    >>> literals() != ['a', 1]
    """
    return ["a", 1]


def long_output(n):
    """
    >>> long_output(3)  # doctest: +ELLIPSIS
    0
    ...
    >>> long_output(200_000)  # doctest: +ELLIPSIS
    0
    1
    ...
    >>> long_output(5)  # doctest: +ELLIPSIS
    0
    ...
    9
    >>> long_output(4)  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    0 1 ... 3
    """
    for i in range(n):
        print(i)


def raises(kind):
    """
    >>> raises("value")
    Traceback (most recent call last):
      ...
    ValueError: bad value
    >>> raises("value")
    Traceback (most recent call last):
    ValueError: other message
    >>> raises("value")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ValueError: other message
    >>> raises("own")
    Traceback (most recent call last):
    tricky.Invalid: mine
    >>> raises("own")
    Traceback (most recent call last):
    Invalid: mine
    >>> raises("own")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    Invalid: mine
    >>> raises("key")
    Traceback (most recent call last):
    KeyError: 'k'
    >>> raises("none")
    'fine'
    >>> raises("value")
    'fine'
    >>> raises("noted")
    Traceback (most recent call last):
    ValueError: two
    lines
    with a note
    >>> raises("noted")
    Traceback (most recent call last):
    ValueError: two
    lines
    >>> raises("syntax")
    Traceback (most recent call last):
    SyntaxError: invalid syntax
    >>> raises("printed")
    Traceback (most recent call last):
      File "x", line 1
    ValueError: shown
    """
    if kind == "value":
        raise ValueError("bad value")
    if kind == "own":
        raise Invalid("mine")
    if kind == "key":
        raise {}["k"]
    if kind == "noted":
        error = ValueError("two\nlines")
        error.add_note("with a note")
        raise error
    if kind == "syntax":
        compile("1 +", "<text>", "exec")
    if kind == "printed":
        print('Traceback (most recent call last):\n  File "x", line 1\nValueError: shown')
        return None
    return "fine"


def skipped():
    """
    >>> skipped()  # doctest: +SKIP
    'never checked'
    >>> skipped()
    'run'
    >>> undefined_name  # doctest: +SKIP
    """
    return "run"


def state():
    """
    >>> x = state()
    >>> x + 1
    3
    >>> x
    2
    >>> y
    Traceback (most recent call last):
    NameError: name 'y' is not defined
    >>> for i in range(2):
    ...     print(i)
    0
    1
    >>> __name__
    'tricky'
    >>> import os; os.path.basename(__file__)
    'tricky.py'
    """
    return 2


def annotations(x: int) -> int:
    """
    >>> annotations.__annotations__
    {'x': <class 'int'>, 'return': <class 'int'>}
    >>> annotations(1)
    1
    """
    return x


def outer(n):
    """
    >>> outer(2)
    3
    """
    step = 1

    def inner(x):
        """doctest never collects this one, so neither side reports it.

        >>> inner(1)
        2
        """
        return x + step

    return inner(n)


class Box:
    """A class; its methods' examples count."""

    def __init__(self, v):
        self.v = v

    def get(self):
        """
        >>> Box(3).get()
        3
        >>> Box(3).get()
        4
        """
        return self.v

    @staticmethod
    def twice(x):
        """
        >>> Box.twice(2)
        4
        """
        return 2 * x

    @property
    def doubled(self):
        """
        >>> Box(2).doubled
        4
        """
        return self.v * 2
