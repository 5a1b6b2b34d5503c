"""Labels compared across scripts and spellings: Москва is Moscow, O'zbekiston is Oʻzbekiston."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

# =========================================================================== labels


_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    )
)
# Romanizations of the same name differ in a few letter groups (Sergey/Sergei, Yury/Yuri,
# Bordyuzha/Bordjuzha, Nurgaliyev/Nurgaliev). Folding them to one skeleton lets those match
# while different names (Sergey/Mikhail) still differ.
_FOLDS = (("isation", "ization"), ("ise", "ize"), ("shch", "sc"), ("kh", "h"), ("zh", "z"), ("ch", "c"), ("sh", "s"), ("ts", "c"), ("tz", "c"), ("ph", "f"), ("w", "v"), ("j", "i"), ("y", "i"), ("ck", "k"), ("q", "k"), ("x", "ks"))


def normalize_label(text: str) -> frozenset[str]:
    """A label as a set of folded tokens: casefolded, accents stripped, Cyrillic romanized,
    punctuation dropped, romanization variants folded. Two labels match when the sets are equal."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "".join(_CYRILLIC.get(c, c) for c in text)
    text = re.sub(r"['\u2018\u2019\u02bb\u02bc`]", "", text)  # O'zbekiston, Oʻzbekiston, People's
    text = re.sub(r"[^\w\s]|_", " ", text)
    tokens = set()
    for tok in text.split():
        for a, b in _FOLDS:
            tok = tok.replace(a, b)
        tok = re.sub(r"(.)\1+", r"\1", tok)  # doubled letters
        tok = re.sub(r"(?<=[aeiou])i(?=[aeiou])|(?<=[aeiou])i$", "", tok) if len(tok) > 3 else tok  # -iev/-ev, -ei/-e
        tokens.add(tok)
    return frozenset(tokens)


def labels_match(ours: Iterable[str], theirs: Iterable[str]) -> str | None:
    """The first of `theirs` that matches one of `ours`, or None."""
    mine = {normalize_label(t) for t in ours}
    mine.discard(frozenset())
    for label in sorted(theirs):
        if normalize_label(label) in mine:
            return label
    return None
