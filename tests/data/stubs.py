import math

LIMIT = 10


def add(a, b):
    """Add two numbers.

    >>> add(1, 2)
    3
    >>> add(-3, -4)
    -7
    """
    ...


def shout(s: str) -> str:
    """Upper-case the text.

    >>> shout("Hi there")
    'HI THERE'
    >>> shout("ok")
    'OK'
    """
    pass


def no_examples(x):
    """Does something, but the docstring shows no example."""
    raise NotImplementedError()


def implemented(x):
    """Already written.

    >>> implemented(2)
    4
    """
    return x * 2


def wrong(x):
    """Square a number.

    >>> wrong(3)
    9
    >>> wrong(2)
    4
    """
    return x + x


def impossible(x):
    """No expression of x gives these.

    >>> impossible(1)
    'a7f3c'
    >>> impossible(2)
    'q0z9'
    """
    ...
