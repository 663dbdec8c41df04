"""Why a code was suggested, in words a coder reads: the one wording used by the app and by review."""

from __future__ import annotations

from typing import Any


def evidence_words(evidence: dict[str, Any]) -> str:
    """E.g. "matched 'bank account'; close to the definition of Payment burden; like 3 passages you coded"."""
    parts = []
    if evidence.get("terms"):
        parts.append("matched " + ", ".join(f"'{t}'" for t in evidence["terms"]))
    if evidence.get("hedged"):
        parts.append("hedged mention of " + ", ".join(f"'{t}'" for t in evidence["hedged"]))
    if evidence.get("negated"):
        parts.append("negated mention of " + ", ".join(f"'{t}'" for t in evidence["negated"]))
    label = evidence.get("label") or "the code"
    if evidence.get("definition") == "closest":
        parts.append(f"closest to the definition of {label}")
    elif evidence.get("definition") == "close":
        parts.append(f"close to the definition of {label}")
    like = int(evidence.get("like_coded") or 0)
    if like:
        parts.append(f"like {like} passage{'s' if like != 1 else ''} coded with it")
    similar = evidence.get("similar") or []
    if similar and isinstance(similar[0], dict) and similar[0].get("quote"):
        parts.append(f'most like "{_shorten(similar[0]["quote"], 12)}" ({similar[0].get("document_id", "")})')
    source = "learned from coders' decisions" if evidence.get("model") == "learned" else "from the codebook alone"
    return "; ".join(parts) + f" ({source})" if parts else f"weak evidence ({source})"


def _shorten(text: str, words: int) -> str:
    split = text.split()
    return " ".join(split[:words]) + (" ..." if len(split) > words else "")
