"""Rules stage: each code's keywords matched on lower-cased lemmas, with negation and hedging kept.

"budgets" matches the keyword "budget"; "never been told about the budget" is kept as
a negated match (weaker evidence, shown to the coder), not silently dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .. import nlp
from ..codebook import Codebook

NEGATIONS = {"not", "no", "never", "n't", "nobody", "nothing", "without", "hardly", "neither", "nor", "none", "cannot"}
HEDGES = {"maybe", "perhaps", "might", "possibly", "probably", "suppose", "guess", "unsure", "sometimes"}
WINDOW = 3
NEGATED_WEIGHT, HEDGED_WEIGHT = 0.3, 0.6


@dataclass
class RuleEvidence:
    """Keyword matches of one code in one segment."""

    terms: list[str] = field(default_factory=list)
    negated: list[str] = field(default_factory=list)
    hedged: list[str] = field(default_factory=list)

    def weight(self, specificity: dict[str, float]) -> float:
        """Strength of the evidence in [0, 1): plain matches count fully, hedged and negated less."""
        total = sum(specificity.get(t, 1.0) for t in self.terms)
        total += HEDGED_WEIGHT * sum(specificity.get(t, 1.0) for t in self.hedged)
        total += NEGATED_WEIGHT * sum(specificity.get(t, 1.0) for t in self.negated)
        return 1.0 - math.exp(-total)


class KeywordRules:
    """A PhraseMatcher over lemmas holding every keyword of the codes being suggested."""

    def __init__(self, codebook: Codebook, code_ids: list[str], model: str | None = None) -> None:
        pipeline = nlp.get_pipeline(model)
        self.matcher = PhraseMatcher(pipeline.vocab, attr="LEMMA")
        self.keywords: dict[tuple[str, str], str] = {}
        for code_id in code_ids:
            keywords = list(dict.fromkeys(k.lower() for k in codebook.get(code_id).keywords))
            for keyword, doc in zip(keywords, nlp.lemma_docs(keywords, model)):
                if len(doc):
                    self.matcher.add(code_id, [doc])
                    self.keywords[(code_id, " ".join(t.lemma_ for t in doc))] = keyword
        self.code_ids = code_ids
        self.signature = hash(tuple(sorted(self.keywords.items())))

    def match(self, doc: Doc) -> dict[str, RuleEvidence]:
        """Evidence per code for one lemmatised segment."""
        found: dict[str, RuleEvidence] = {}
        vocab = doc.vocab.strings
        for match_id, start, end in self.matcher(doc):
            code_id = vocab[match_id]
            lemmas = " ".join(token.lemma_ for token in doc[start:end])
            term = self.keywords.get((code_id, lemmas), lemmas)
            evidence = found.setdefault(code_id, RuleEvidence())
            before = {token.lemma_ for token in doc[max(0, start - WINDOW) : start]}
            bucket = evidence.negated if before & NEGATIONS else evidence.hedged if before & HEDGES else evidence.terms
            if term not in bucket:
                bucket.append(term)
        return found
