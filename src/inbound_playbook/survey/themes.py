"""Themes that find themselves: TF-IDF and non-negative matrix factorisation of the redacted free text.

The text reaching this module is already redacted (``load.load_survey`` redacts as it reads); the redaction marks
themselves are removed before modelling so that "[e-mail removed]" cannot become a theme. Everything runs offline:
scikit-learn's built-in English stop-word list, no downloaded model or word list.

Method: ``TfidfVectorizer`` (single words of two or more letters, English stop words removed, words used in at
least ``min_answers_per_term`` answers, sublinear term frequency), then ``NMF`` with
``init="nndsvda"`` and ``random_state`` = the run's seed, so a rerun on the same answers gives the same themes. Each
theme is named by its top terms (highest weights in its NMF component); each answer counts under its dominant theme
(the largest weight in its row of W), or under no theme when every weight is 0.

Reference: Lee, D. D. and Seung, H. S. (1999). Learning the parts of objects by non-negative matrix factorization.
Nature 401, 788-791. scikit-learn: Pedregosa et al. (2011), JMLR 12, 2825-2830.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .text import EMAIL_MARK, NUMBER_MARK

MIN_ANSWERS = 4  # fewer answers than this cannot support two themes and a vocabulary


@dataclass(frozen=True)
class DiscoveredThemes:
    """Themes found in the text: top terms per theme and the dominant theme of each answer (-1 = none)."""

    terms: list[list[str]]  # per theme, its top terms, strongest first
    assignment: list[int]  # per answer, the index of its dominant theme or -1
    n_answers: int
    reason: str | None = None  # why no themes were found, when ``terms`` is empty

    def label(self, theme: int) -> str:
        """A theme's name: its three strongest terms."""
        return " / ".join(self.terms[theme][:3])


def _clean(text: str) -> str:
    return text.replace(EMAIL_MARK, " ").replace(NUMBER_MARK, " ")


def discover_themes(
    texts: Sequence[str], n_themes: int, seed: int, top_terms: int = 6, min_answers_per_term: int = 1
) -> DiscoveredThemes:
    """Themes of the (redacted) answers by TF-IDF and non-negative matrix factorisation.

    Parameters
    ----------
    texts : sequence of str
        The free-text answers, already redacted.
    n_themes : int
        Themes wanted; capped by the answers and the vocabulary (at most one fewer than each).
    seed : int
        ``random_state`` of the NMF, so a rerun on the same answers gives the same themes.
    top_terms : int, default 6
        Terms kept to name each theme.
    min_answers_per_term : int, default 1
        A word enters the model (and so can name a theme) only when at least this many answers use it; the analysis
        passes ``min_group_size``, so no theme term can come from fewer respondents than a group the report shows.

    Returns
    -------
    DiscoveredThemes
        Top terms per theme, the dominant theme of each answer (-1 for none) and, when no theme was found, why.

    Notes
    -----
    X = TF-IDF matrix (answers x words, sublinear tf, English stop words removed) is factorised as X ~ W H with
    W, H >= 0 (NMF, ``init="nndsvda"``); a theme's terms are the largest weights of its row of H, an answer's theme
    the largest weight of its row of W.

    References
    ----------
    Lee, D. D. and Seung, H. S. (1999). Learning the parts of objects by non-negative matrix factorization. Nature
    401, 788-791.
    Pedregosa, F. et al. (2011). Scikit-learn: machine learning in Python. JMLR 12, 2825-2830.

    Examples
    --------
    >>> answers = ["search is slow", "slow search results", "search takes ages, slow",
    ...            "refund macro missing", "no macro for refunds", "refund macro please"]
    >>> found = discover_themes(answers, 2, seed=1, top_terms=2)
    >>> [found.label(found.assignment[i]) for i in (0, 3)]
    ['search / slow', 'macro / refund']
    >>> found.assignment[:3] == [found.assignment[0]] * 3 and found.assignment[3:] == [found.assignment[3]] * 3
    True
    """
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    answers = [_clean(t) for t in texts]
    if len(answers) < MIN_ANSWERS or n_themes < 1:
        return DiscoveredThemes(
            [],
            [-1] * len(answers),
            len(answers),
            f"{len(answers)} free-text answers: at least {MIN_ANSWERS} are needed to find themes",
        )
    vectorizer = TfidfVectorizer(
        stop_words="english",
        token_pattern=r"(?u)\b[^\W\d_]{2,}\b",
        min_df=max(1, min_answers_per_term),
        sublinear_tf=True,
    )
    try:
        matrix = vectorizer.fit_transform(answers)
    except ValueError:  # empty vocabulary: only stop words, numbers or marks
        return DiscoveredThemes([], [-1] * len(answers), len(answers), "the answers hold no words to model")
    vocabulary = vectorizer.get_feature_names_out()
    k = int(min(n_themes, matrix.shape[0] - 1, matrix.shape[1] - 1))
    if k < 1:
        return DiscoveredThemes([], [-1] * len(answers), len(answers), "too few distinct words to find a theme")
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=1000)
    with warnings.catch_warnings():  # small corpora may stop at max_iter; the result is still deterministic
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    terms = [
        [str(vocabulary[j]) for j in np.argsort(-row, kind="stable")[:top_terms] if row[j] > 0]
        for row in model.components_
    ]
    assignment = [int(np.argmax(row)) if row.max() > 0 else -1 for row in weights]
    return DiscoveredThemes(terms, assignment, len(answers))
