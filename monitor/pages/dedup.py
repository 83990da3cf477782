"""Near-duplicate stories: the same wire story under several URLs or outlets.

Exact copies share a hash of their folded text; near copies (a changed headline, an added
byline, a trimmed last paragraph) are found with MinHash over word 5-shingles and an LSH
index, then confirmed by the estimated Jaccard similarity.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

from ..text import fold

NUM_PERM = 128
#: Stored signatures are only comparable under the scheme that made them: pin it.
SCHEME = "affine32"
SHINGLE = 5
_WORD = re.compile(r"\w+")


def text_hash(text: str) -> str:
    """Hash of the folded words: identical text modulo case, accents and spacing."""
    words = " ".join(_WORD.findall(fold(text)))
    return hashlib.blake2b(words.encode(), digest_size=16).hexdigest()


def signature(text: str) -> MinHash:
    words = _WORD.findall(fold(text))
    if len(words) < SHINGLE:
        shingles = {" ".join(words)}
    else:
        shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    minhash.update_batch([s.encode() for s in shingles])
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype(np.uint32).tobytes()


def from_bytes(blob: bytes) -> MinHash:
    values = np.frombuffer(blob, dtype=np.uint32)
    return MinHash(num_perm=NUM_PERM, hashvalues=values, scheme=SCHEME)


class DedupIndex:
    """In-memory LSH over the stored originals; loaded once per process from the database."""

    def __init__(self, threshold: float = 0.8) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._sigs: dict[int, MinHash] = {}

    def __len__(self) -> int:
        return len(self._sigs)

    def add(self, article_id: int, minhash: MinHash) -> None:
        if article_id in self._sigs:
            return
        self._sigs[article_id] = minhash
        self._lsh.insert(str(article_id), minhash)

    def load(self, rows: Iterable[tuple[int, bytes]]) -> None:
        for article_id, blob in rows:
            if blob:
                self.add(article_id, from_bytes(blob))

    def find(self, minhash: MinHash) -> int | None:
        """The oldest stored original this text nearly duplicates, or None."""
        best: list[int] = []
        for key in self._lsh.query(minhash):
            article_id = int(key)
            if self._sigs[article_id].jaccard(minhash) >= self.threshold:
                best.append(article_id)
        return min(best) if best else None
