"""A few stubs for synthls to fill: run `synthls synth scripts/demo.py`."""


def add(a, b):
    """Return the sum of a and b.

    >>> add(1, 2)
    3
    >>> add(-4, 10)
    6
    """
    ...


def reverse_words(s):
    """Reverse the order of the words in a sentence.

    >>> reverse_words("hello big world")
    'world big hello'
    >>> reverse_words("one")
    'one'
    """
    raise NotImplementedError


def unique_sorted(xs):
    """The distinct values of xs in ascending order.

    >>> unique_sorted([3, 1, 3, 2, 1])
    [1, 2, 3]
    >>> unique_sorted([])
    []
    >>> unique_sorted([5, -1])
    [-1, 5]
    """
    pass


class Temperature:
    @staticmethod
    def c_to_f(c):
        """Convert degrees Celsius to Fahrenheit.

        >>> Temperature.c_to_f(100)
        212.0
        >>> Temperature.c_to_f(0)
        32.0
        """
        ...


def count_evens(nums):
    """How many numbers in nums are even.

    >>> count_evens([1, 2, 3, 4, 6])
    3
    >>> count_evens([1, 3])
    0
    >>> count_evens([8, 8, 5])
    2
    """
