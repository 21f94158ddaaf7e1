"""The one exception the engine raises for bad input, and helpers that phrase its messages."""

from __future__ import annotations


class ScoringInputError(ValueError):
    """Raise when input to a scoring method is invalid; the message names the alternative and criterion.

    Messages are in English followed by Chinese ("… / …"), because the engine's users are Chinese
    analysts who also share results with English readers.

    Attributes
    ----------
    alternative, criterion : str or None
        The offending alternative (row) and criterion (column), when the error concerns one cell,
        row or column.
    """

    def __init__(self, message: str, *, alternative: str | None = None, criterion: str | None = None):
        super().__init__(message)
        self.alternative = alternative
        self.criterion = criterion


def where(*, alternative: str | None = None, criterion: str | None = None, label: str | None = None) -> str:
    """Return the "criterion 'X' (标签) of alternative 'Y'" prefix of an error message."""
    parts = []
    if criterion is not None:
        shown = f"criterion {criterion!r}"
        if label and label != criterion:
            shown += f" ({label})"
        parts.append(shown)
    if alternative is not None:
        parts.append(f"alternative {alternative!r}")
    return " of ".join(parts)


def input_error(
    problem: str,
    problem_zh: str,
    *,
    alternative: str | None = None,
    criterion: str | None = None,
    label: str | None = None,
) -> ScoringInputError:
    """Build a ScoringInputError whose message reads "<where>: <problem> / <problem in Chinese>"."""
    prefix = where(alternative=alternative, criterion=criterion, label=label)
    text = f"{problem} / {problem_zh}"
    return ScoringInputError(
        f"{prefix}: {text}" if prefix else text, alternative=alternative, criterion=criterion
    )
