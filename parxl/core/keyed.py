"""``KeyedRow``: a read-only mapping of one unit's figures whose keys are one index shared by many rows.

At 10,000 units × ~70 items (or ~100 nodes of the criteria tree), a dict per unit and per figure costs hundreds
of MB; a ``KeyedRow`` is one tuple of figures per unit and one ``{key: position}`` dict for all of them.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping


class KeyedRow(Mapping):
    """Key → figure, read-only: ``index`` (key → position, shared by every row with the same keys, in their
    order) and ``values`` (a tuple, ``len(index)`` long). Iterates in the index's order; compares equal to a
    dict with the same pairs."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: Mapping[str, int], values: tuple):
        self._index = index
        self._values = values

    def __getitem__(self, key: str):
        return self._values[self._index[key]]

    def get(self, key: str, default=None):
        """The figure of ``key``, or ``default`` when the row has no such key."""
        i = self._index.get(key)
        return default if i is None else self._values[i]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._values)

    def as_dict(self) -> dict:
        """A new dict of the same pairs (in C: for a caller that looks many keys up)."""
        return dict(zip(self._index, self._values))

    def __repr__(self) -> str:
        return repr(self.as_dict())


def shared_index(keys: tuple[str, ...], indexes: dict[tuple[str, ...], dict[str, int]]) -> dict[str, int]:
    """The one ``{key: position}`` dict for ``keys`` kept in ``indexes`` (made on first use)."""
    index = indexes.get(keys)
    if index is None:
        index = indexes[keys] = {key: i for i, key in enumerate(keys)}
    return index
