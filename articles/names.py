"""Find the actors a text names, whatever spelling it uses.

Sources write one person many ways: "To Lam", "Tô Lâm", "Lam’s", "General
Secretary Lam", "Kim Jong-un". Each name and alias is folded to a key
(transliterated to ASCII with anyascii, lower-cased, hyphens and punctuation
made spaces, a possessive "’s" dropped), and a text is read word by word,
matching the longest known key at each position after skipping any titles
("General Secretary", "President", "Dr.") in front of it.

What is left over and still looks like a name (two or more capitalised words,
or one after a title) is an unknown name: `Mention.offer` suggests adding it
as an alias of the closest known actor, or as a new actor.
"""

import re
from dataclasses import dataclass, field

from anyascii import anyascii
from rapidfuzz import fuzz, process

from articles.models import Actor, ActorAlias

# How many names (actors plus aliases) are read into memory at most. A
# knowledge base of 100k claims has about 5,000 actors and 10,000 names.
MAX_NAMES = 50_000
# How alike (0–100, rapidfuzz WRatio on folded names) an unknown name must be
# to an actor's to be offered as its alias rather than as a new actor.
ALIAS_CUTOFF = 86

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _words(text):
    return text.split()


def _phrases(text):
    return text.split("|")


TITLES = {
    tuple(title.split())
    for title in _phrases(
        "general secretary|party chief|secretary general|president|vice president|prime minister|premier|"
        "deputy prime minister|minister|foreign minister|defence minister|defense minister|chairman|chairwoman|"
        "chair|leader|supreme leader|ambassador|mr|mrs|ms|miss|dr|prof|professor|general|gen|senator|sen|"
        "king|queen|prince|princess|pope|comrade|marshal|governor|mayor|spokesperson|spokesman|spokeswoman|"
        "former|us|u s|then|late|chinese|russian|vietnamese|north korean|south korean|japanese|american"
    )
}
MAX_TITLE = max(len(title) for title in TITLES)
TITLE_STARTS = {title[0] for title in TITLES}
# Capitalised words that start sentences or name months and days, never actors on their own.
NOT_NAMES = set(
    _words(
        "a an the this that these those it its in on at of for from to by with as and or but if when while "
        "after before since during until about above below under over into onto upon than then there here "
        "what which who whom whose why how all any both each few more most other some such no nor not only "
        "own same so too very can will just he she they we you i his her their our your my me him them us "
        "also yet still even however meanwhile although though because despite according analysts officials "
        "observers experts many several one two three four five six seven eight nine ten first second third "
        "last next new former january february march april may june july august september october november "
        "december monday tuesday wednesday thursday friday saturday sunday jan feb mar apr jun jul aug sep "
        "sept oct nov dec"
    )
)


def fold(name):
    """The key a name is matched by: "Tô Lâm’s" → "to lam", "Kim Jong-un" → "kim jong un".

    Every actor's keys are stored (ActorNameKey, one actor per key): a change
    to how names fold needs a migration storing them again, as 0023 first did.
    """
    return " ".join(_word_key(word) for word in WORD.findall(anyascii(name)) if _word_key(word))


def _word_key(word):
    # A possessive ("Lam’s") names the same actor as the bare name.
    if word[-2:] in ("'s", "’s"):
        word = word[:-2]
    return anyascii(word).lower().replace("'", "")


@dataclass
class Mention:
    """A name found in a text: its span, the actor it names (or None), and what to offer when unknown."""

    start: int
    end: int
    text: str
    actor: Actor | None = None
    # For an unknown name: the known actor it most resembles (offered as an alias of), if any.
    closest: Actor | None = None

    @property
    def offer(self):
        """What an editor is offered for an unknown name, in words; empty for a known one."""
        if self.actor is not None:
            return ""
        if self.closest is not None:
            return f"add “{self.text}” as an alias of {self.closest.name}"
        return f"add “{self.text}” as a new actor"


@dataclass
class NameIndex:
    """Every actor's folded names, for reading texts (build it with NameIndex.load())."""

    keys: dict = field(default_factory=dict)  # folded name (a tuple of words) → actor
    longest: int = 1
    actors: dict = field(default_factory=dict)  # pk → actor
    choices: dict = field(default_factory=dict)  # folded name string → actor, for fuzzy offers
    first_words: set = field(default_factory=set)  # the first folded word of every name

    @classmethod
    def load(cls):
        """Read every actor and alias (two queries, at most MAX_NAMES of each)."""
        index = cls()
        actors = Actor.objects.only("pk", "slug", "name", "kind").order_by("pk")[:MAX_NAMES]
        index.actors = {actor.pk: actor for actor in actors}
        names = [(actor.name, actor) for actor in index.actors.values()]
        aliases = ActorAlias.objects.order_by("pk").values_list("name", "actor_id")[:MAX_NAMES]
        names += [(name, index.actors[actor_id]) for name, actor_id in aliases if actor_id in index.actors]
        for name, actor in names:
            key = tuple(fold(name).split())
            if not key:
                continue
            # Two actors with one folded name ("Kim"): an actor's own name wins over another's alias.
            if key not in index.keys or name == actor.name:
                index.keys[key] = actor
            index.choices.setdefault(" ".join(key), actor)
            index.longest = max(index.longest, len(key))
            index.first_words.add(key[0])
        return index

    def mentions(self, text, *, known_only=False):
        """Every name in `text`, known or not (only known ones when `known_only`), in order."""
        # Words are found in the text as is, and folded one by one, so their offsets index the text.
        words = [(m.start(), m.end(), _word_key(m.group())) for m in WORD.finditer(text)]
        self._text = text
        found, i = [], 0
        while i < len(words):
            title = 0
            known = self._known_at(words, i)
            if known is None:
                title = self._title_at(words, i)
                known = self._known_at(words, i + title) if title else None
            if known:
                length, actor = known
                first, last = words[i + title], words[i + title + length - 1]
                found.append(Mention(first[0], last[1], text[first[0] : last[1]], actor))
                i += title + length
                continue
            if known_only:
                i += 1
                continue
            unknown, i = self._unknown_at(text, words, i, title)
            if unknown:
                found.append(unknown)
        return found

    def actors_in(self, text):
        """The known actors `text` names, as a set of pks."""
        return {mention.actor.pk for mention in self.mentions(text, known_only=True)}

    def _title_at(self, words, i):
        if words[i][2] not in TITLE_STARTS:
            return 0
        for length in range(min(MAX_TITLE, len(words) - i - 1), 0, -1):
            if tuple(w[2] for w in words[i : i + length]) in TITLES:
                return length
        return 0

    def _known_at(self, words, i):
        if i >= len(words) or words[i][2] not in self.first_words:
            return None
        for length in range(min(self.longest, len(words) - i), 0, -1):
            key = tuple(w[2] for w in words[i : i + length])
            actor = self.keys.get(key)
            if actor is not None and _adjacent(self._text, words, i, length):
                return length, actor
        return None

    def _unknown_at(self, text, words, i, title):
        """(an unknown name at word i or None, the word to read next).

        A name is capitalised words in a row, two or more, or one after a
        title; leading sentence words ("The", "In") are not part of it, and it
        stops where a known name starts.
        """
        j = i + title
        while j < len(words) and words[j][2] in NOT_NAMES and _capitalised(text, words[j]):
            j += 1
        if j > i + title and j < len(words) and self._known_at(words, j) is not None:
            return None, j
        run = j
        while (
            run < len(words)
            and _capitalised(text, words[run])
            and words[run][2] not in NOT_NAMES
            and (run == j or (_adjacent(text, words, run - 1, 2) and self._known_at(words, run) is None))
        ):
            run += 1
        if run == j or (run - j < 2 and not title):
            return None, max(run, i + 1)
        start, end = words[j][0], words[run - 1][1]
        mention = Mention(start, end, text[start:end])
        if mention.text[-2:] in ("’s", "'s"):
            mention.text, mention.end = mention.text[:-2], end - 2
        best = process.extractOne(
            fold(mention.text), self.choices.keys(), scorer=fuzz.WRatio, score_cutoff=ALIAS_CUTOFF
        )
        if best is not None:
            mention.closest = self.choices[best[0]]
        elif run - j == 1:
            mention.closest = self._by_one_name(words[j][2])
        return mention, run

    def _by_one_name(self, word):
        """The one person whose name starts or ends with `word` ("President Lee" → Lee Jae Myung), if exactly one."""
        people = {
            actor.pk: actor
            for key, actor in self.keys.items()
            if actor.kind == Actor.Kind.PERSON and len(key) > 1 and word in (key[0], key[-1])
        }
        return next(iter(people.values())) if len(people) == 1 else None


def _capitalised(text, word):
    return text[word[0]].isupper()


# Between the words of one name: a space, a hyphen ("Jong-un") or a plural possessive ("Workers’ Party");
# after an initial, a full stop ("U.S.").
NAME_GAP = re.compile(r"\s|[-‐‑]|['’]\s")
INITIAL_GAP = re.compile(r"\.\s?")


def _adjacent(text, words, i, length):
    """Whether words i..i+length-1 follow each other within one name (no full stop or comma between)."""
    for k in range(i, i + length - 1):
        gap = text[words[k][1] : words[k + 1][0]]
        initial = words[k][1] - words[k][0] == 1
        if not (NAME_GAP.fullmatch(gap) or (initial and INITIAL_GAP.fullmatch(gap))):
            return False
    return True
