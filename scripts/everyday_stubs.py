"""Five everyday stubs, written as a new user would, for ``scripts/bench_everyday.py``.

Run ``synthls synth scripts/everyday_stubs.py --engine openai`` on them with only the base URL and
the model set; ``bench_everyday.py`` does that and judges each inserted body on checks this file
does not show (the model sees the whole file, so the checks live in the runner).
"""

from __future__ import annotations


def safe_div(a: float, b: float) -> float | None:
    """Return a divided by b, or None when b is zero.

    >>> safe_div(6, 3)
    2.0
    >>> safe_div(1, 0) is None
    True
    """
    ...


def fizzbuzz(n: int) -> str:
    """'Fizz' for multiples of 3, 'Buzz' for multiples of 5, 'FizzBuzz' for both, else n as text.

    >>> fizzbuzz(3)
    'Fizz'
    >>> fizzbuzz(10)
    'Buzz'
    >>> fizzbuzz(30)
    'FizzBuzz'
    >>> fizzbuzz(7)
    '7'
    """
    ...


def median(xs: list[float]) -> float:
    """The median of a non-empty list of numbers.

    >>> median([3, 1, 2])
    2
    >>> median([4, 1, 3, 2])
    2.5
    """
    ...


def slugify(title: str) -> str:
    """The title in lower case, its words joined by hyphens (anything but letters and digits
    separates words).

    >>> slugify('Hello, World!')
    'hello-world'
    >>> slugify('  Python 3.12 is out ')
    'python-3-12-is-out'
    """
    ...


def word_counts(text: str) -> dict[str, int]:
    """How many times each word occurs in text, ignoring case.

    >>> word_counts('the cat and the hat')
    {'the': 2, 'cat': 1, 'and': 1, 'hat': 1}
    >>> word_counts('A a B')
    {'a': 2, 'b': 1}
    """
    ...
