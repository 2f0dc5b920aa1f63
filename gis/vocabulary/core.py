"""The vocabulary's core: :class:`Term` and :class:`Vocabulary`.

A term is a value, its Chinese label and aliases; a vocabulary is an enumeration that labels
values and parses every alias (modelled on Django's ``TextChoices``). Every reader parses with
:meth:`Vocabulary.parse`, every writer labels with :meth:`Vocabulary.label`; the enumerations
themselves are declared, grouped by domain, in the sibling modules of :mod:`gis.vocabulary`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from gis.errors import InputFormatError

__all__ = ["Term", "Vocabulary", "normalise"]

V = TypeVar("V", bound=Hashable)


def normalise(text: str) -> str:
    """Return the lookup form of an input word: NFKC (full-width → half-width), stripped, casefolded.

    Examples
    --------
    >>> normalise(" Ｗater ")
    'water'
    """
    return unicodedata.normalize("NFKC", text).strip().casefold()


@dataclass(frozen=True)
class Term(Generic[V]):
    """One value of an enumeration: its Chinese label, accepted aliases and named wordings."""

    value: V
    zh: str
    aliases: tuple[str, ...] = ()
    forms: Mapping[str, str] = field(default_factory=dict)
    """Other names of the value in a given context (accepted on input like aliases)."""
    notes: Mapping[str, str] = field(default_factory=dict)
    """Texts about the value in a given context (a phrase, a check): not names, not parsed."""

    def words(self) -> Iterator[str]:
        """Yield every word that names this term on input (value, label, forms, aliases)."""
        if isinstance(self.value, str):
            yield self.value
        yield self.zh
        yield from self.forms.values()
        yield from self.aliases


class Vocabulary(Generic[V]):
    """An enumeration: ordered terms, their labels and a parser accepting every alias.

    Parameters
    ----------
    name
        English name, used in error messages (``utility``, ``road class`` …).
    zh
        Chinese name of the enumeration.
    terms
        The terms in display order.
    """

    def __init__(self, name: str, zh: str, terms: tuple[Term[V], ...]) -> None:
        self.name = name
        self.zh = zh
        self.terms = terms
        self._by_value: dict[V, Term[V]] = {t.value: t for t in terms}
        self._by_word: dict[str, V] = {}
        for t in terms:
            for word in t.words():
                key = normalise(word)
                other = self._by_word.setdefault(key, t.value)
                if other != t.value:
                    msg = f"{name}: {word!r} names both {other!r} and {t.value!r}"
                    raise ValueError(msg)

    @property
    def values(self) -> tuple[V, ...]:
        """The values in display order."""
        return tuple(t.value for t in self.terms)

    def __contains__(self, value: object) -> bool:
        return value in self._by_value

    def __iter__(self) -> Iterator[V]:
        return iter(self.values)

    def term(self, value: V) -> Term[V]:
        """Return the term of a value (``KeyError`` if it is not one)."""
        return self._by_value[value]

    def label(self, value: Any, *, form: str | None = None, default: str | None = None) -> str:
        """Return the Chinese label of ``value`` (its ``form`` wording or note if it has one).

        An unknown value returns ``default``, or the value itself as text when no default is given.

        Examples
        --------
        >>> from gis.vocabulary import ROAD_CLASSES, UTILITIES
        >>> ROAD_CLASSES.label("access"), UTILITIES.label("water", form="pipeline")
        ('街坊路', '给水')
        >>> UTILITIES.label("sewer")
        'sewer'
        """
        t = self._by_value.get(value)
        if t is None:
            return str(value) if default is None else default
        return t.forms.get(form, t.notes.get(form, t.zh)) if form else t.zh

    def labels(self, *, form: str | None = None) -> dict[V, str]:
        """Return value → label for every term (a view for tables and legends)."""
        return {t.value: self.label(t.value, form=form) for t in self.terms}

    def expected(self) -> str:
        """Return what a reader expects, in English and Chinese: ``water (供水), gas (燃气) …``."""
        return ", ".join(f"{t.value} ({t.zh})" for t in self.terms)

    def lookup(self, text: str) -> V | None:
        """Return the value named by ``text`` (value, label, form or alias), or ``None``.

        (For the enumerations with a ``None`` value, :meth:`parse` tells it from an unknown word.)
        """
        return self._by_word.get(normalise(text))

    def words(self) -> dict[str, V]:
        """Return every accepted input word (normalised) → its value."""
        return dict(self._by_word)

    def parse(self, text: Any) -> V:
        """Return the value named by ``text``; an unknown word raises what was expected.

        Raises
        ------
        InputFormatError
            ``text`` names no value; the message lists the values and labels.

        Examples
        --------
        >>> from gis.vocabulary import OPERATORS, ROAD_CLASSES, UTILITIES
        >>> UTILITIES.parse("自来水"), OPERATORS.parse("荆门广电"), ROAD_CLASSES.parse("街巷")
        ('water', 'china_broadnet', 'access')
        """
        if isinstance(text, str):
            key = normalise(text)
            if key in self._by_word:
                return self._by_word[key]
        elif text in self._by_value:
            return text
        msg = f"{self.name} {text!r}: 应为 {self.zh} 之一 (expected one of {self.expected()})"
        raise InputFormatError(msg)
