"""Topics as data: the schema of a topic file, its loader, and how a topic's terms match text.

A topic file (one TOML file per topic in ``topics_dir``) names term groups; ``pantau.pipelines.topics``
compiles it into a scorer. How a term matches (whole words, spacing and hyphen variants, Indonesian
affixes) is defined here once, for the scorer, the backfill's pre-filter and the readers' highlights.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pantau.base.errors import ConfigError, describe_validation_error

# Indonesian affixes a lowercase term may carry: per+senjata+an+nya, bersenjata, rudal-rudal.
_PREFIX = r"(?:me[mn]?g?|pe[mnr]?g?|ber|di|ter|ke|se)?"
_PREFIX_INITIALS = {"m", "p", "b", "d", "t", "k", "s"}
_SUFFIX = r"(?:an|kan|i)?(?:nya|lah|pun)?"
_JOINER = r"[\s\-\u2010\u2011]*"  # "Kim Jong Un" = "Kim Jong-un"; "kerja sama" = "kerjasama"


def _words(term: str) -> list[str]:
    return [word for word in re.split(r"[\s\-\u2010\u2011]+", term.strip()) if word]


def _is_name(term: str) -> bool:
    """Names (Rusia, KN-23) take no prefixes, only "-nya"; lowercase words take Indonesian affixes."""
    return term != term.lower()


def _affixed(term: str, capture: str = "") -> tuple[str, str]:
    """The regex of a term without its prefix, as (first letter, the rest): spacing variants,
    reduplication, suffixes. The first letter is "" when it is not an ASCII letter or digit."""
    words = _words(term)
    initial = words[0][0] if words[0][0].isascii() and words[0][0].isalnum() else ""
    rest = _JOINER.join([re.escape(words[0][len(initial) :]), *map(re.escape, words[1:])])
    core = f"(?P<{capture}>{rest})" if capture else rest
    affixes = "(?:nya)?" if _is_name(term) else f"(?:-{re.escape(words[-1])})?{_SUFFIX}"
    return initial, core + affixes


def _alternation(branches: list[tuple[str, str]]) -> str:
    """The branches' alternation, in order, with each first letter tried once.

    Branches with different first letters cannot match at one position, so grouping them by
    letter (keeping their order within a letter) finds exactly what the flat alternation finds;
    the regex engine then tests a letter once for its group instead of once per term.
    """
    if any(not initial for initial, _ in branches):
        return "|".join(initial + rest for initial, rest in branches)
    by_letter: dict[str, list[str]] = {}
    for initial, rest in branches:
        by_letter.setdefault(initial.lower(), []).append(rest)
    return "|".join(f"{letter}(?:{'|'.join(rests)})" for letter, rests in by_letter.items())


def term_pattern(terms: Iterable[str], *, capture: bool = False) -> str:
    """One whole-word regex for the terms; with ``capture``, term i is the named group ``t<i>``.

    For speed, the prefix alternation is factored out of the terms (one try per word start, not one
    per term), the terms are grouped by first letter, and a lookahead on the possible first
    letters skips every other position cheaply. Longest terms come first, so the most specific wins.
    """
    indexed = sorted(enumerate(terms), key=lambda pair: -len(pair[1]))
    initials = {term.strip(" -\u2010\u2011")[0].lower() for _, term in indexed}
    if any(not _is_name(term) for _, term in indexed):
        initials |= _PREFIX_INITIALS
    names = [_affixed(term, f"t{i}" if capture else "") for i, term in indexed if _is_name(term)]
    common = [_affixed(term, f"t{i}" if capture else "") for i, term in indexed if not _is_name(term)]
    branches = [_alternation(names)] if names else []
    if common:
        branches.append(f"{_PREFIX}(?:{_alternation(common)})")
    first = "".join(sorted(re.escape(char) for char in initials))
    return rf"(?<!\w)(?=[{first}])(?:{'|'.join(branches)})(?!\w)"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GroupSpec(_Strict):
    """One group of terms in a topic file."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    role: Literal["required", "context"] = "required"
    penalty: float = Field(1.0, ge=0)
    terms: list[str] = Field(min_length=1)

    @field_validator("terms")
    @classmethod
    def _real_terms(cls, terms: list[str]) -> list[str]:
        for term in terms:
            if not re.search(r"\w", term):
                raise ValueError(f"term {term!r} has no letters or digits")
        return terms


class ScoringSpec(_Strict):
    """How evidence is weighed (see the comments in the shipped topic file)."""

    window: int = Field(2, ge=1, le=10)
    lead_sentences: int = Field(4, ge=0)
    lead_weight: float = Field(2.0, ge=0)
    body_weight: float = Field(1.0, ge=0)
    title_weight: float = Field(3.0, ge=0)
    title_partial_weight: float = Field(1.0, ge=0)
    relation: list[str] = Field(default_factory=list)
    relation_title_weight: float = Field(2.0, ge=0)
    body_cap: float = Field(8.0, gt=0)
    context_below: float = Field(6.0, ge=0)


class TopicSpec(_Strict):
    """A topic file as written."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    title: str = Field(min_length=1)
    description: str = ""
    threshold: float = Field(gt=0)
    scoring: ScoringSpec = Field(default_factory=ScoringSpec)
    groups: list[GroupSpec] = Field(min_length=1)

    @field_validator("groups")
    @classmethod
    def _one_required(cls, groups: list[GroupSpec]) -> list[GroupSpec]:
        if not any(group.role == "required" for group in groups):
            raise ValueError("at least one group needs role = 'required'")
        names = [group.name for group in groups]
        if len(set(names)) != len(names):
            raise ValueError(f"group names must be unique (got {names})")
        return groups

    @model_validator(mode="after")
    def _relation_names_required_groups(self) -> TopicSpec:
        required = {group.name for group in self.groups if group.role == "required"}
        unknown = set(self.scoring.relation) - required
        if unknown:
            raise ValueError(f"scoring.relation names {sorted(unknown)}, which are not required groups")
        return self


def load_topic_spec(path: Path) -> TopicSpec:
    """Read and validate one topic file; ConfigError names the file and the bad key."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"topic file {path} cannot be read: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"topic file {path} is not valid TOML: {exc}; fix the syntax") from exc
    try:
        spec = TopicSpec(**data)
    except ValidationError as exc:
        # Topic files hold long term lists: name the key, not the whole value.
        raise ConfigError(f"topic file {path}: {describe_validation_error(exc, show_input=False)}") from None
    if spec.name != path.stem:
        raise ConfigError(
            f"topic file {path}: 'name' is {spec.name!r} but must equal the file name {path.stem!r}"
        )
    return spec


def load_topic_specs(directory: Path) -> list[TopicSpec]:
    """Every ``*.toml`` topic in a folder, sorted by file name; ConfigError if none or one is bad."""
    if not directory.is_dir():
        raise ConfigError(f"topics_dir {directory} is not a folder; create it or fix 'topics_dir'")
    topics = [load_topic_spec(path) for path in sorted(directory.glob("*.toml"))]
    if not topics:
        raise ConfigError(f"topics_dir {directory} holds no topic files (*.toml); add one")
    return topics


# Bumped when the scorer's code changes what a topic file means, so stored scores become stale.
SCORER_VERSION = 1


def topic_fingerprint(spec: TopicSpec) -> str:
    """A short hash of what decides a topic's scores (threshold, scoring, groups), not its title."""
    effective = spec.model_dump(mode="json", exclude={"name", "title", "description"})
    text = json.dumps({"scorer": SCORER_VERSION, **effective}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
