"""Does a line's own description contradict the official title of its code?

A chargemaster line's description, or a crosswalk pair's diagnosis description, is checked
against the official title of its code on a few things a description can plainly get
wrong: the side (right, left, bilateral), the body part, and for diagnoses the kind of
condition (fracture, dislocation, sprain, tear ..., malignant or benign, diabetes type 1
or 2). A mismatch is a description that names something of one of these kinds *and* a
title that names something of the same kind, with nothing in common: "right knee" on a
code whose title says hip. A description that names nothing, or a title that names
nothing, is never a mismatch.

False alarms cost reviewers' trust, so words are compared by what they can mean, not by
spelling: a body part belongs to one or more regions (the femur is at the hip, the thigh
and the knee; the patella and the meniscus are the knee), and a description and a title
agree when they share a region; "tear" agrees with a strain or a sprain (the ICD-10-CM
index sends a traumatic tendon tear there), not with a dislocation or a fracture.

Everything is decided per distinct (code, description), so a 10,000,000-pair crosswalk
costs what its few thousand distinct descriptions cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Aspect:
    """One kind of thing a description can name: its words, each with the groups it
    belongs to (two words agree when they share a group) and the name it is shown by."""

    what: str  # "side", "body part", "condition"
    words: dict[str, tuple[str, tuple[str, ...]]]  # word -> (shown as, groups)
    diagnoses_only: bool = False

    @property
    def lookup(self) -> dict[str, str]:
        """Every spelling of every word (plurals of whole words too) -> the word."""
        out = {w: w for w in self.words}
        for word in self.words:
            if word.isalpha() and word not in _NO_PLURAL:
                out.setdefault(word + "s", word)
        return out


_NO_PLURAL = frozenset({"rt", "lt", "bil", "bilat", "fx", "feet", "menisci", "vertebrae"})


def _words(*entries: tuple[str, str, str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """``("rt", "right", "right")`` -> ``{"rt": ("right", ("right",))}``; groups are
    separated by spaces."""
    return {word: (shown, tuple(groups.split())) for word, shown, groups in entries}


SIDE = Aspect("side", _words(
    ("right", "right", "right"), ("rt", "right", "right"),
    ("left", "left", "left"), ("lt", "left", "left"),
    ("bilateral", "bilateral", "bilateral"), ("bilat", "bilateral", "bilateral"),
    ("bil", "bilateral", "bilateral")))

BODY_PART = Aspect("body part", _words(
    # legs
    ("knee", "knee", "knee"), ("patella", "patella", "knee"), ("kneecap", "patella", "knee"),
    ("meniscus", "meniscus", "knee"), ("menisci", "meniscus", "knee"),
    ("hip", "hip", "hip"), ("acetabulum", "acetabulum", "hip"),
    ("femur", "femur", "hip thigh knee"), ("femoral", "femur", "hip thigh knee"),
    ("thigh", "thigh", "hip thigh knee"),
    ("tibia", "tibia", "knee leg ankle"), ("tibial", "tibia", "knee leg ankle"),
    ("fibula", "fibula", "knee leg ankle"), ("fibular", "fibula", "knee leg ankle"),
    ("lower leg", "lower leg", "knee leg ankle"), ("shin", "lower leg", "knee leg ankle"),
    ("ankle", "ankle", "ankle foot leg"), ("malleolus", "ankle", "ankle leg"),
    ("foot", "foot", "foot ankle"), ("feet", "foot", "foot ankle"), ("toe", "toe", "foot"),
    ("heel", "heel", "foot"), ("calcaneus", "heel", "foot"),
    ("metatarsal", "metatarsal", "foot"),
    # arms
    ("shoulder", "shoulder", "shoulder"), ("rotator cuff", "rotator cuff", "shoulder"),
    ("clavicle", "clavicle", "shoulder"), ("scapula", "scapula", "shoulder"),
    ("humerus", "humerus", "shoulder arm elbow"), ("humeral", "humerus", "shoulder arm elbow"),
    ("upper arm", "upper arm", "shoulder arm elbow"),
    ("elbow", "elbow", "elbow arm"), ("olecranon", "elbow", "elbow"),
    ("forearm", "forearm", "elbow forearm wrist"),
    ("radius", "radius", "elbow forearm wrist"), ("ulna", "ulna", "elbow forearm wrist"),
    ("wrist", "wrist", "wrist hand forearm"), ("carpal", "wrist", "wrist hand"),
    ("hand", "hand", "hand wrist"), ("finger", "finger", "hand"), ("thumb", "thumb", "hand"),
    ("metacarpal", "metacarpal", "hand"),
    # trunk and spine
    ("spine", "spine", "cervical thoracic lumbar sacral"),
    ("spinal", "spine", "cervical thoracic lumbar sacral"),
    ("vertebra", "spine", "cervical thoracic lumbar sacral"),
    ("vertebrae", "spine", "cervical thoracic lumbar sacral"),
    ("cervical", "cervical", "cervical neck"), ("cervix", "cervix", "cervical"),
    ("neck", "neck", "neck cervical"), ("thyroid", "thyroid", "neck"),
    ("thoracic", "thoracic", "thoracic chest"),
    ("lumbar", "lumbar", "lumbar"), ("lumbosacral", "lumbosacral", "lumbar sacral"),
    ("sacrum", "sacrum", "sacral pelvis"), ("sacral", "sacrum", "sacral pelvis"),
    ("coccyx", "coccyx", "sacral pelvis"),
    ("pelvis", "pelvis", "pelvis hip"), ("pelvic", "pelvis", "pelvis hip"),
    ("chest", "chest", "chest"), ("thorax", "chest", "chest"), ("rib", "rib", "chest"),
    ("lung", "lung", "chest"), ("pulmonary", "lung", "chest"), ("heart", "heart", "chest"),
    ("cardiac", "heart", "chest"), ("breast", "breast", "breast chest"),
    ("abdomen", "abdomen", "abdomen"), ("abdominal", "abdomen", "abdomen"),
    ("stomach", "stomach", "abdomen"), ("liver", "liver", "abdomen"),
    ("colon", "colon", "abdomen"), ("bowel", "bowel", "abdomen"),
    ("intestine", "intestine", "abdomen"), ("kidney", "kidney", "abdomen"),
    ("renal", "kidney", "abdomen"), ("bladder", "bladder", "pelvis"),
    ("prostate", "prostate", "pelvis"), ("uterus", "uterus", "pelvis"),
    ("ovary", "ovary", "pelvis"),
    # head
    ("head", "head", "head"), ("skull", "skull", "head"), ("brain", "brain", "head"),
    ("eye", "eye", "eye"), ("ear", "ear", "ear"),
    ("nose", "nose", "nose")))

CONDITION = Aspect("condition", _words(
    ("fracture", "fracture", "fracture"), ("fractured", "fracture", "fracture"),
    ("fx", "fracture", "fracture"),
    ("dislocation", "dislocation", "dislocation"), ("dislocated", "dislocation", "dislocation"),
    ("subluxation", "dislocation", "dislocation"),
    ("sprain", "sprain", "sprain"), ("strain", "strain", "strain"),
    ("tear", "tear", "tear sprain strain"), ("torn", "tear", "tear sprain strain"),
    ("rupture", "tear", "tear sprain strain"), ("ruptured", "tear", "tear sprain strain"),
    ("contusion", "contusion", "contusion"), ("bruise", "contusion", "contusion"),
    ("laceration", "laceration", "laceration"),
    ("burn", "burn", "burn corrosion"), ("corrosion", "corrosion", "corrosion"),
    ("malignant", "malignant", "malignant"), ("malignancy", "malignant", "malignant"),
    ("cancer", "malignant", "malignant"), ("carcinoma", "malignant", "malignant"),
    ("benign", "benign", "benign"),
    ("type 1", "type 1", "type1"), ("type i", "type 1", "type1"),
    ("type 2", "type 2", "type2"), ("type ii", "type 2", "type2")), diagnoses_only=True)

ASPECTS = (SIDE, BODY_PART, CONDITION)


# byte -> its lower-case letter or digit, 0 for everything else (a word's end)
_WORD_BYTES = np.zeros(256, dtype=np.uint8)
for _c in b"abcdefghijklmnopqrstuvwxyz0123456789":
    _WORD_BYTES[_c] = _c
for _c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _WORD_BYTES[_c] = _c + 32


# Words that take the next two out of the text's meaning: a device "for use other than
# knee" is not about the knee; "laceration without foreign body" names no body.
NEGATING = frozenset({"than", "except", "excluding", "without", "not", "no"})


@dataclass(frozen=True)
class _Tokens:
    """The words of many texts (lower-case ASCII letters and digits), one after another,
    with the text each is from, and whether a negating word stands one or two before."""

    words: pa.Array
    parent: np.ndarray

    @property
    def negated(self) -> np.ndarray:
        neg = pc.is_in(self.words, value_set=pa.array(sorted(NEGATING), pa.string())
                       ).to_numpy(zero_copy_only=False)
        out = np.zeros(len(neg), dtype=bool)
        for back in (1, 2):
            same = self.parent[back:] == self.parent[:-back]
            out[back:] |= neg[:-back] & same
        return out


def _tokens(texts: pd.Series) -> _Tokens:
    """Words cut on the bytes of all texts at once (numpy over one buffer, no regular
    expression per text): a million descriptions in a fraction of a second."""
    arr = pa.array(texts.fillna("").astype(str), pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.fill_null(arr, "")
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset:arr.offset
                                                               + len(arr) + 1]
    raw = arr.buffers()[2]
    data = (np.frombuffer(raw, dtype=np.uint8)[offsets[0]:offsets[-1]] if raw is not None
            else np.zeros(0, dtype=np.uint8))
    offsets = offsets - offsets[0]
    low = _WORD_BYTES[data]
    inside = low != 0
    before = np.concatenate([[False], inside[:-1]])
    after = np.concatenate([inside[1:], [False]])
    if len(inside):
        before[offsets[:-1][offsets[:-1] < len(inside)]] = False  # a text's first byte
        last = offsets[1:] - 1
        after[last[last >= 0]] = False  # a text's last byte
    starts = np.flatnonzero(inside & ~before)
    ends = np.flatnonzero(inside & ~after) + 1
    # the words' bytes are the kept bytes, one word after another
    word_offsets = np.concatenate([[0], np.cumsum(ends - starts)])
    words = pa.LargeStringArray.from_buffers(
        len(starts), pa.py_buffer(word_offsets.astype(np.int64)),
        pa.py_buffer(low[inside].tobytes()))
    parent = np.searchsorted(offsets, starts, side="right") - 1
    return _Tokens(words.cast(pa.string()), parent)


@dataclass(frozen=True)
class _Vocabulary:
    """An aspect's words as arrays: spelling -> word, and each word's groups as a run
    (``starts[w]`` .. ``starts[w] + counts[w]`` in ``group_of``)."""

    spellings: pa.Array
    word_of: np.ndarray  # per spelling
    shown: np.ndarray  # per word
    starts: np.ndarray
    counts: np.ndarray
    group_of: np.ndarray  # group ids, the runs one after another
    groups: list[str]
    firsts: pa.Array  # first words of the two-word spellings ("lower" of "lower leg")

    @classmethod
    def of(cls, aspect: Aspect) -> _Vocabulary:
        words = list(aspect.words)
        lookup = aspect.lookup
        groups = sorted({g for _, gs in aspect.words.values() for g in gs})
        runs = [[groups.index(g) for g in aspect.words[w][1]] for w in words]
        counts = np.array([len(r) for r in runs])
        return cls(spellings=pa.array(list(lookup), pa.string()),
                   word_of=np.array([words.index(w) for w in lookup.values()]),
                   shown=np.array([aspect.words[w][0] for w in words], dtype=object),
                   starts=np.cumsum(counts) - counts, counts=counts,
                   group_of=np.array([g for r in runs for g in r]), groups=groups,
                   firsts=pa.array(sorted({w.split(" ")[0] for w in lookup if " " in w}),
                                   pa.string()))


def _found(values: pa.Array, spellings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the values among ``spellings``, the spelling index of each)."""
    where = pc.index_in(values, value_set=spellings)
    hit = pc.is_valid(where).to_numpy(zero_copy_only=False)
    return np.flatnonzero(hit), where.filter(pa.array(hit)).to_numpy(
        zero_copy_only=False).astype(np.int64)


def _named(tokens: _Tokens, vocabulary: _Vocabulary) -> tuple[np.ndarray, np.ndarray,
                                                              np.ndarray]:
    """Every word of the vocabulary in the texts (one word, or two in a row such as "lower
    leg"), but for words a negating word stands just before ("other than knee"): (text,
    word id, group id), one row per group of each word."""
    flat, parent, negated = tokens.words, tokens.parent, tokens.negated
    at, spelling = _found(flat, vocabulary.spellings)
    kept = ~negated[at]
    ats, words = [parent[at[kept]]], [vocabulary.word_of[spelling[kept]]]
    if len(flat) > 1 and len(vocabulary.firsts):
        first = np.flatnonzero(pc.is_in(flat.slice(0, len(flat) - 1),
                                        value_set=vocabulary.firsts).to_numpy(
                                            zero_copy_only=False))
        first = first[(parent[first] == parent[first + 1]) & ~negated[first]]
        if len(first):
            pair = pc.binary_join_element_wise(flat.take(pa.array(first)),
                                               flat.take(pa.array(first + 1)), " ")
            at2, spelling2 = _found(pair, vocabulary.spellings)
            ats.append(parent[first[at2]])
            words.append(vocabulary.word_of[spelling2])
    at, word = np.concatenate(ats), np.concatenate(words)
    counts = vocabulary.counts[word]
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    group = vocabulary.group_of[np.repeat(vocabulary.starts[word], counts) + offsets]
    return np.repeat(at, counts), np.repeat(word, counts), group


_VOCABULARIES: dict[str, _Vocabulary] = {}


def _vocabulary(aspect: Aspect) -> _Vocabulary:
    if aspect.what not in _VOCABULARIES:
        _VOCABULARIES[aspect.what] = _Vocabulary.of(aspect)
    return _VOCABULARIES[aspect.what]


def _aspects(diagnoses: bool) -> list[Aspect]:
    return [a for a in ASPECTS if diagnoses or not a.diagnoses_only]


def codes_named(titles: pd.DataFrame, *, diagnoses: bool) -> pd.Series:
    """The codes whose official title names a side, body part (or for diagnoses a kind of
    condition): only their lines can contradict it, so a caller looks at those alone."""
    titles = titles.reset_index(drop=True)
    tokens = _tokens(titles["official_title"])
    found = [titles["code"].to_numpy()[_named(tokens, _vocabulary(a))[0]]
             for a in _aspects(diagnoses)]
    return pd.Series(pd.unique(np.concatenate(found)) if found else [], dtype="str")


def contradictions(pairs: pd.DataFrame, titles: pd.DataFrame, *, diagnoses: bool,
                   said: str = "the line says") -> pd.DataFrame:
    """The (code, description) pairs whose description contradicts the code's title, each
    with a ``detail`` in plain words ("the line says body part 'hip'; the title says knee").

    ``pairs`` has columns ``code`` and ``description`` (distinct pairs are enough; blanks
    are fine), ``titles`` columns ``code`` and ``official_title``. ``diagnoses`` turns on
    the aspects that only diagnoses have (the kind of condition). One row per pair and
    aspect that disagrees. Words are matched as ids in whole columns; only the pairs that
    disagree get their words written out.
    """
    titles = titles[["code", "official_title"]].drop_duplicates("code").reset_index(drop=True)
    pairs = pairs[["code", "description"]]
    if pairs.empty or titles.empty:
        return _none()
    code_at = pc.index_in(pa.array(pairs["code"].astype(str), pa.string()),
                          value_set=pa.array(titles["code"].astype(str), pa.string()))
    code_at = pc.fill_null(code_at, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    pairs = distinct_pairs(pairs[code_at >= 0])
    if pairs.empty:
        return _none()
    code_of = pc.index_in(pa.array(pairs["code"].astype(str), pa.string()),
                          value_set=pa.array(titles["code"].astype(str), pa.string())
                          ).to_numpy(zero_copy_only=False).astype(np.int64)
    in_titles = _tokens(titles["official_title"])
    in_texts = _tokens(pairs["description"])
    out = []
    for aspect in _aspects(diagnoses):
        vocabulary = _vocabulary(aspect)
        t_at, t_word, t_group = _named(in_titles, vocabulary)
        if not len(t_at):
            continue
        n_groups = len(vocabulary.groups)
        title_keys = np.unique(t_at * n_groups + t_group)
        has = np.zeros(len(titles), dtype=bool)
        has[t_at] = True
        d_at, d_word, d_group = _named(in_texts, vocabulary)
        checked = has[code_of[d_at]]
        d_at, d_word, d_group = d_at[checked], d_word[checked], d_group[checked]
        if not len(d_at):
            continue
        agrees = np.isin(code_of[d_at] * n_groups + d_group, title_keys)
        bad = np.zeros(len(pairs), dtype=bool)
        bad[d_at] = True
        bad[d_at[agrees]] = False
        if not bad.any():
            continue
        mine = bad[d_at]
        at, in_text = _joined(d_at[mine], d_word[mine], vocabulary.shown, sort=False)
        t_keys, title_words = _joined(t_at, t_word, vocabulary.shown, sort=True)
        said_title = title_words[np.searchsorted(t_keys, code_of[at])]
        rows = pairs.iloc[at]
        out.append(pd.DataFrame({
            "code": rows["code"].to_numpy(), "description": rows["description"].to_numpy(),
            "detail": (f"{said} {aspect.what} '" + pd.Series(in_text, dtype=object)
                       + "'; the title says " + pd.Series(said_title, dtype=object)
                       ).to_numpy()}))
    return pd.concat(out, ignore_index=True) if out else _none()


def distinct_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """The distinct (code, description) rows, by Arrow's hash grouping (pandas'
    drop_duplicates on two text columns of 10,000,000 rows takes seconds)."""
    table = pa.table({"code": pa.array(pairs["code"].astype(str), pa.string()),
                      "description": pa.array(pairs["description"].astype(str),
                                              pa.string())})
    grouped = table.group_by(["code", "description"], use_threads=False).aggregate([])
    return pd.DataFrame({"code": grouped["code"].to_pandas(),
                         "description": grouped["description"].to_pandas()}, dtype="str")


def _joined(at: np.ndarray, word: np.ndarray, shown: np.ndarray, *, sort: bool
            ) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct ``at`` (ascending), its words' shown names joined by "/" (each once,
    in text order, or sorted): one Arrow join, not a Python step per text."""
    frame = pd.DataFrame({"at": at, "w": word}).drop_duplicates()
    frame = frame.assign(s=shown[frame["w"].to_numpy()])
    frame = frame.sort_values(["at", "s"] if sort else ["at"], kind="stable")
    keys, counts = np.unique(frame["at"].to_numpy(), return_counts=True)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())
    lists = pa.ListArray.from_arrays(offsets, pa.array(frame["s"].tolist(), pa.string()))
    return keys, pc.binary_join(lists, "/").to_numpy(zero_copy_only=False)


# Words too common to say two texts are about the same thing.
_STOP_WORDS = frozenset({
    "and", "the", "for", "with", "without", "other", "unspecified", "specified", "not",
    "elsewhere", "classified", "due", "encounter", "initial", "subsequent", "sequela", "type",
    "part", "site", "side", "left", "right", "bilateral", "unsp", "oth", "from", "than",
    "more", "less", "each", "per", "any", "all", "into", "use", "synth", "synthetic"})
AGREEMENT_SAMPLE = 20_000


def agreement(pairs: pd.DataFrame, titles: pd.DataFrame) -> float:
    """The share of (code, description) pairs whose description has a word (three letters
    or more, not a stop word) in common with the code's official title: high for a column
    that describes these codes, even abbreviated ("OA RT KNEE"); low for a column that
    describes something else (the procedure's description next to a diagnosis code).
    Worked out on at most ``AGREEMENT_SAMPLE`` distinct pairs."""
    codes = pa.array(pairs["code"], pa.string())
    texts = pa.array(pairs["description"], pa.string())
    if len(pairs) > 10 * AGREEMENT_SAMPLE:  # a sample is enough to tell
        pick = np.sort(np.random.default_rng(0).choice(len(pairs), 10 * AGREEMENT_SAMPLE,
                                                       replace=False))
        codes, texts = codes.take(pa.array(pick)), texts.take(pa.array(pick))
    titles = titles[["code", "official_title"]].drop_duplicates("code").reset_index(drop=True)
    keep = pc.and_(pc.not_equal(texts, ""), pc.is_in(codes, value_set=pa.array(
        titles["code"].astype(str), pa.string())))
    pairs = distinct_pairs(pd.DataFrame({
        "code": codes.filter(keep).to_pandas(), "description": texts.filter(keep).to_pandas()}))
    if len(pairs) > AGREEMENT_SAMPLE:
        pairs = pairs.sample(AGREEMENT_SAMPLE, random_state=0)
    pairs = pairs.reset_index(drop=True)
    if pairs.empty:
        return 0.0

    def words(texts: pd.Series, keys: np.ndarray) -> pd.DataFrame:
        """(text, its key, word) for the telling words of each text."""
        tokens = _tokens(texts)
        frame = pd.DataFrame({"at": tokens.parent, "key": keys[tokens.parent],
                              "word": tokens.words.to_numpy(zero_copy_only=False)})
        keep = ((frame["word"].str.len() >= 3) & ~frame["word"].isin(_STOP_WORDS)
                & ~frame["word"].str.isdigit())
        return frame[keep].drop_duplicates()

    said = words(pairs["description"], pairs["code"].to_numpy())
    official = words(titles["official_title"], titles["code"].to_numpy()).drop(columns="at")
    shared = said.merge(official, on=["key", "word"])["at"].nunique()
    return shared / len(pairs)


def _none() -> pd.DataFrame:
    return pd.DataFrame({"code": pd.Series([], dtype="str"),
                         "description": pd.Series([], dtype="str"),
                         "detail": pd.Series([], dtype="str")})
