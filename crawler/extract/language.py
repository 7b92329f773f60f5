"""The language of an article's text, for pages that do not declare one (py3langid, a small n-gram model)."""

from __future__ import annotations

import functools
from typing import Any

#: fewer words than this are not enough to tell a language
MIN_WORDS = 20


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str | None) -> str | None:
    """An ISO 639-1 code for ``text`` (None when it is too short or the model is unsure)."""
    if not text or len(text.split()) < MIN_WORDS:
        return None
    code, probability = _identifier().classify(text[:5000])
    return str(code) if probability >= 0.9 else None
