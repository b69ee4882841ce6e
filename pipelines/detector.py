"""langdetect's detector with its hot loops written for CPython, giving bit-identical answers.

langdetect (1.0.9, unchanged since 2021) spends a page's language time in per-item Python loops:
the n-gram extraction (one ``NGram.add_char`` call per character, each looking up the character's
Unicode block) and the trials (each sampled n-gram multiplies 55 language probabilities one index
at a time). They are rewritten here doing the same arithmetic in the same order, so every language
and probability equals the stock detector's to the last bit (tests/pipelines/test_detector.py
compares them): a word's n-grams are cached per word, each n-gram's probabilities are one array of
doubles (the stock lists of float objects are scattered over 40 MB, which the page's own parsing
keeps pushing out of the CPU caches), and the five updates between two convergence checks run as
one pass over the languages, each probability multiplied by the five factors left to right, exactly
as five separate passes would.
"""

from __future__ import annotations

import re
from array import array
from functools import lru_cache
from itertools import repeat
from operator import add, truediv
from typing import Any

from langdetect import detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.language import Language
from langdetect.utils.ngram import NGram

_SPACES = re.compile(" {2,}")
_CHECK_EVERY = 5  # langdetect normalises and tests convergence after update 0, 5, 10, ...


class _Normalised(dict[int, str]):
    """A str.translate table mapping a character to NGram.normalize's, filled as characters appear."""

    def __missing__(self, code: int) -> str:
        normal: str = NGram.normalize(chr(code))
        self[code] = normal
        return normal


_NORMALISED = _Normalised()


def _profiles() -> Any:
    """The profiles langdetect loads once per process (its module-level factory)."""
    detector_factory.init_factory()
    return detector_factory._factory


def _word_ngrams(word: str, known: dict[str, list[float]]) -> list[str]:
    """The n-grams NGram.add_char emits for one normalised word (with its following space, if any).

    The stock loop starts its buffer again at every space, so a word's n-grams depend on the
    word alone.
    """
    result: list[str] = []
    grams, capital, last = " ", False, " "
    for char in word:
        if len(grams) >= NGram.N_GRAM:
            grams = grams[1:]
        grams += char
        # A capital after a capital starts an all-capitals word, which emits nothing until it ends.
        if not char.isupper():
            capital = False
        elif last.isupper():
            capital = True
        last = char
        if not capital:
            for n in range(1, len(grams) + 1):
                gram = grams[-n:]
                if gram != " " and gram in known:
                    result.append(gram)
    return result


# One n-gram's probability in each language (langdetect's order), filled as n-grams appear.
_VECTORS: dict[str, array[float]] = {}


@lru_cache(maxsize=65536)  # running text in one language reuses a few thousand words
def _word_vectors(word: str) -> tuple[array[float], ...]:
    """The probability vectors of the word's n-grams, in the stock extraction's order."""
    known = _profiles().word_lang_prob_map
    vectors = []
    for gram in _word_ngrams(word, known):
        vector = _VECTORS.get(gram)
        if vector is None:
            vector = _VECTORS[gram] = array("d", known[gram])
        vectors.append(vector)
    return tuple(vectors)


class FastDetector(Detector):  # type: ignore[misc]  # langdetect ships no type hints
    """A Detector whose text preparation, n-gram extraction and trials are the stock ones, faster."""

    def append(self, text: str) -> None:
        """Detector.append: URLs and e-mail addresses out, Vietnamese normalised, runs of spaces
        made one (the stock loop drops a space after a space, one character at a time)."""
        text = NGram.normalize_vi(self.MAIL_RE.sub(" ", self.URL_RE.sub(" ", text)))
        self.text += _SPACES.sub(" ", text[: self.max_text_length])

    def cleaning_text(self) -> None:
        """Detector.cleaning_text, which only ever changes a text with characters from U+0300 on."""
        if self.text and max(self.text) >= "\u0300":
            super().cleaning_text()

    def _vectors(self) -> list[array[float]]:
        """What the stock _extract_ngrams returns, each n-gram as its probability vector."""
        *words, last = self.text.translate(_NORMALISED).split(" ")
        vectors = [vector for word in words if word for vector in _word_vectors(word + " ")]
        return vectors + list(_word_vectors(last))

    def _detect_block(self) -> None:
        self.cleaning_text()
        vectors = self._vectors()
        if not vectors:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        self.langprob = [0.0] * len(self.langlist)
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            prob = self._trial(vectors)
            self.langprob = list(map(add, self.langprob, map(truediv, prob, repeat(self.n_trial))))

    def _trial(self, vectors: list[array[float]]) -> list[float]:
        """One trial: sample n-grams until the best language converges (or the iteration limit)."""
        choice = self.random.choice
        prob = self._init_probability()
        weight = (self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH) / self.BASE_FREQ
        done = 0  # updates so far; the stock loop's i is done - 1 at each check
        while True:
            if done == 0:
                prob = [p * (weight + x) for p, x in zip(prob, choice(vectors), strict=True)]
                done = 1
            else:
                prob = _five_updates(prob, [choice(vectors) for _ in range(_CHECK_EVERY)], weight)
                done += _CHECK_EVERY
            prob = list(map(truediv, prob, repeat(sum(prob))))
            if max(prob) > self.CONV_THRESHOLD or done - 1 >= self.ITERATION_LIMIT:
                return prob


def _five_updates(prob: list[float], vectors: list[array[float]], weight: float) -> list[float]:
    """prob[i] * (weight + vector[i]) for each of five vectors in turn, in one pass."""
    a, b, c, d, e = vectors
    return [
        p * (weight + x1) * (weight + x2) * (weight + x3) * (weight + x4) * (weight + x5)
        for p, x1, x2, x3, x4, x5 in zip(prob, a, b, c, d, e, strict=True)
    ]


def detect_langs(text: str) -> list[Language]:
    """langdetect.detect_langs(text), from the same profiles and seed, computed by FastDetector."""
    detector = FastDetector(_profiles())
    detector.append(text)
    return list(detector.get_probabilities())
