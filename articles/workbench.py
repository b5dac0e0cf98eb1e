"""The editor's workbench: read an article in the admin, cite a passage of it, add an article from pasted text.

What lives here, and why in one module:

- **Positions.** A citation's start and end count Python code points in the
  text as stored (articles/anchoring.py). Browsers count UTF-16 code units,
  in which an emoji or any other character outside the Basic Multilingual
  Plane is two units. The reading view gives each sentence its UTF-16 start;
  the script adds the units into the sentence and sends the sum, and
  `utf16_index` maps it back to code points here. Only the server's copy of
  the text becomes the quote: the browser never sends characters, so what is
  quoted is exactly what is stored.
- **Misquotes.** `Misquote` compares a quote that is not in the text with the
  nearest passage anchoring finds, character by character, and names each
  difference (U+0027 APOSTROPHE where the article has U+2019 RIGHT SINGLE
  QUOTATION MARK).
- **Duplicate claims.** `similar_claims` finds existing claims whose text is
  close to a new one: a bounded candidate query (full-text on PostgreSQL, a
  few substrings of the folded text on SQLite), then difflib over at most
  CANDIDATES texts, both sides folded alike (`_comparable`).
- **Page furniture.** `classify_lines` suggests which lines of a pasted page
  are not the article (navigation, "Advertisement", share prompts, headline
  lists, photo credits) and which are photo captions.
- **Writes.** `cite` and `add_article_from_text` are the only write paths of
  the workbench. They save through the models' own save() (a quote is anchored
  by Citation.save(), a claim's status refreshed by the receivers in
  services.py, as for the admin's inline forms) and record one revision whose
  comment is the editor's change note, as VersionedAdmin does.
"""

import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

import reversion
from anyascii import anyascii
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import F
from django.utils.text import slugify

from articles import anchoring, versioning
from articles.models import Article, Citation, Claim, Location, reserved_claim_slugs
from articles.search import CONFIG as SEARCH_CONFIG
from articles.search import WORD as SEARCH_WORD
from articles.search import StoredVector
from articles.search import fold as search_fold
from articles.search import folded as search_folded

# --- Positions ---------------------------------------------------------------------


def utf16_length(text):
    """How many UTF-16 code units `text` is: what a browser's string length and offsets count."""
    return len(text.encode("utf-16-le")) // 2


def utf16_index(text, units):
    """The code point offset in `text` that lies `units` UTF-16 code units from its start.

    None when `units` is negative, past the end, or falls inside a surrogate
    pair (between the two halves of an emoji): no character starts there.
    """
    if units < 0:
        return None
    count = 0
    for index, char in enumerate(text):
        if count == units:
            return index
        if count > units:
            return None
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text) if count == units else None


def sentence_spans(text):
    """The sentences of a text as (start, end) code point offsets, as anchoring splits them."""
    return anchoring.sentences(text or "")


def sentence_starts16(text, spans):
    """{start: UTF-16 offset of that start} for each span, in one pass over the text."""
    result, units, position = {}, 0, 0
    for start, _ in spans:
        units += utf16_length(text[position:start])
        position = start
        result[start] = units
    return result


@dataclass(frozen=True)
class Passage:
    """A span of an article's text chosen to be cited: where it is, what it says, and its sentence."""

    location: str
    start: int
    end: int
    quote: str
    sentence: str
    # The anchoring's TextQuoteSelector context: the text just before and after, as Citation.anchor() stores it.
    prefix: str = ""
    suffix: str = ""


def passage(article, location, start, end):
    """The passage [start, end) of the article's text, trimmed of surrounding whitespace.

    None when it is empty or out of range.
    """
    text = article.text_of(location) or ""
    if start is None or end is None or not 0 <= start < end <= len(text):
        return None
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return None
    spans = sentence_spans(text)
    covering = [(s, e) for s, e in spans if s < end and e > start]
    sentence = text[covering[0][0] : covering[-1][1]] if covering else text[start:end]
    prefix = text[max(0, start - anchoring.CONTEXT_CHARS) : start]
    suffix = text[end : end + anchoring.CONTEXT_CHARS]
    return Passage(location, start, end, text[start:end], sentence, prefix, suffix)


def text_token(text):
    """A short hash of a text: tells whether the article changed since a form was drawn."""
    return hashlib.sha256((text or "").encode("utf-8", "surrogatepass")).hexdigest()[:16]


# --- Misquotes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    text: str
    differs: bool


@dataclass
class Misquote:
    """A quote not found in the text, beside the nearest passage, with the characters that differ."""

    quote: str
    passage: str | None
    quote_pieces: list = field(default_factory=list)
    passage_pieces: list = field(default_factory=list)
    differences: list = field(default_factory=list)  # sentences: "‘'’ (U+0027 APOSTROPHE) where the article has …"

    MAX_DIFFERENCES = 12

    @classmethod
    def of(cls, text, quote):
        nearest = anchoring.nearest_match(text or "", quote)
        found = cls(quote=quote, passage=nearest)
        if nearest is None:
            found.quote_pieces = [Piece(quote, False)]
            return found
        matcher = difflib.SequenceMatcher(None, quote, nearest, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            same = op == "equal"
            if a2 > a1:
                found.quote_pieces.append(Piece(quote[a1:a2], not same))
            if b2 > b1:
                found.passage_pieces.append(Piece(nearest[b1:b2], not same))
            if not same and len(found.differences) < cls.MAX_DIFFERENCES:
                found.differences.append(_difference(op, quote[a1:a2], nearest[b1:b2]))
        return found


def _named(chars):
    if len(chars) > 3:
        return f"“{chars}”"
    return ", ".join(f"{c} ({_codepoint(c)})" if c.isprintable() and not c.isspace() else _codepoint(c) for c in chars)


def _codepoint(char):
    if unicodedata.category(char) == "Cc":
        return f"U+{ord(char):04X} a control character"
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


def _difference(op, yours, theirs):
    if op == "delete":
        return f"Your quote has {_named(yours)}, which the article does not have."
    if op == "insert":
        return f"The article has {_named(theirs)}, which your quote lacks."
    return f"Your quote has {_named(yours)} where the article has {_named(theirs)}."


# --- Duplicate claims ------------------------------------------------------------------

CANDIDATES = 60
SIMILAR_CUTOFF = 0.6
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "she",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "which",
        "who",
        "would",
        "not",
        "but",
        "than",
        "then",
        "there",
        "these",
        "those",
        "also",
        "after",
        "before",
        "over",
        "under",
        "about",
        "said",
        "says",
    ]
)


def _comparable(text):
    """`text` as claims are compared: its words folded (search.fold), one space apart.

    Case, accents however encoded (composed or combining), quotes and dashes,
    and the kind and number of spaces between words are set aside: "TÔ LÂM"
    typed with combining accents and a no-break space is "to lam", the words
    SQLite's kb_fold and PostgreSQL's kb_english find the stored claim by.
    """
    return " ".join(SEARCH_WORD.findall(search_fold(text)))


def _words(text):
    return [word for word in _comparable(text).split() if len(word) > 2 and word not in STOPWORDS]


@dataclass(frozen=True)
class Similar:
    claim: Claim
    score: float

    @property
    def percent(self):
        return round(self.score * 100)


def similar_claims(text, *, limit=5, exclude=()):
    """Existing claims whose text closely matches `text`, best first (at most `limit`).

    Bounded whatever the number of claims: one candidate query of at most
    CANDIDATES rows, then difflib over their texts. On PostgreSQL the
    candidates are the best-ranked full-text matches of any of the text's
    words (the claims' GIN-indexed search vector); on SQLite, claims holding
    one of its three longest words once both are folded (search.fold, the SQL
    function kb_fold: a scan of the claims, as SQLite's search makes).
    """
    words = list(dict.fromkeys(_words(text)))
    if not words:
        return []
    candidates = Claim.objects.exclude(pk__in=list(exclude)).select_related("claimant")
    if connection.vendor == "postgresql":
        query = SearchQuery(" | ".join(words[:12]), search_type="raw", config=SEARCH_CONFIG)
        candidates = _ranked(candidates, query)
    else:
        # Folded words in the folded text ("lam" in "Tô Lâm", whatever its case or encoding), as one
        # pattern: each condition on the folded text would fold every claim again.
        longest = sorted(words, key=len, reverse=True)[:3]
        any_word = "|".join(re.escape(word) for word in longest)
        candidates = candidates.alias(folded_text=search_folded("text")).filter(folded_text__regex=any_word)
        candidates = candidates.order_by("pk")
    wanted = _comparable(text)
    scored = []
    for claim in candidates[:CANDIDATES]:
        matcher = difflib.SequenceMatcher(None, wanted, _comparable(claim.text), autojunk=False)
        if matcher.real_quick_ratio() < SIMILAR_CUTOFF or matcher.quick_ratio() < SIMILAR_CUTOFF:
            continue
        score = matcher.ratio()
        if score >= SIMILAR_CUTOFF:
            scored.append(Similar(claim, score))
    scored.sort(key=lambda s: (-s.score, s.claim.pk))
    return scored[:limit]


def _ranked(claims, query):
    """PostgreSQL: the `claims` whose stored search vector (GIN-indexed) matches `query`, best first."""
    return (
        claims.alias(vector=StoredVector())
        .filter(vector=query)
        .annotate(rank=SearchRank(F("vector"), query))
        .order_by("-rank", "pk")
    )


FOUND = 10


def find_claims(query, *, limit=FOUND):
    """Claims whose text holds every word of `query`, best first: finding a claim without the autocomplete.

    One query, at most `limit` rows: on PostgreSQL a full-text match on the
    claims' search vector, ranked; on SQLite every word in the text once both
    are folded (search.fold: "to lam" finds "Tô Lâm", as on PostgreSQL).
    """
    words = re.findall(r"\w+", query or "")[:12]
    if not words:
        return []
    claims = Claim.objects.select_related("claimant")
    if connection.vendor == "postgresql":
        claims = _ranked(claims, SearchQuery(" ".join(words), search_type="plain", config=SEARCH_CONFIG))
    else:
        # Every word, in any order, as one pattern: each condition on the folded text would fold every claim again.
        every_word = "(?s)" + "".join(f"(?=.*{re.escape(search_fold(word))})" for word in words)
        claims = claims.alias(folded_text=search_folded("text")).filter(folded_text__regex=every_word).order_by("pk")
    return list(claims[:limit])


# --- Writes ----------------------------------------------------------------------------


def unique_slug(model, text, *, max_length, fallback, reserved=()):
    """A slug from `text` (at most `max_length` characters, cut at a word), numbered if taken or `reserved`."""
    base = slugify(anyascii(text))
    if len(base) > max_length:
        base = base[:max_length].rsplit("-", 1)[0]
    base = base.strip("-") or fallback
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True)) | set(reserved)
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def unique_claim_slug(text):
    return unique_slug(Claim, text, max_length=80, fallback="claim", reserved=reserved_claim_slugs())


def unique_article_slug(title):
    return unique_slug(Article, title, max_length=90, fallback="article")


def _log(user, obj, message):
    LogEntry.objects.log_actions(user.pk, [obj], ADDITION, change_message=message, single_object=True)


def cite(
    *,
    article,
    location,
    quote,
    stance,
    speaker,
    user,
    near=None,
    prefix="",
    suffix="",
    note="",
    claim=None,
    new_claim_text="",
):
    """Save a citation of `quote` into `claim`, or into a new claim with `new_claim_text`.

    `near`, `prefix` and `suffix` say where the editor selected it (the
    anchoring's start and its context either side): of several occurrences,
    or after the article was edited, anchoring prefers the one they describe.
    The citation is validated as the admin validates it (full_clean) and saved
    by Citation.save(), which anchors it; the receivers in services.py refresh
    the claim's status. One revision records the claim whole, with the change
    note as its comment. Returns the citation.
    """
    with transaction.atomic():
        if claim is not None:
            # As the admin does before a first edit, and before this edit's revision begins (History orders
            # revisions by when they began): what the claim was can be put back.
            versioning.record_baselines([claim], "As it was before its first edit in the admin.")
        with reversion.create_revision():
            reversion.set_user(user)
            if claim is None:
                claim = Claim(text=new_claim_text, slug=unique_claim_slug(new_claim_text))
                claim.full_clean()
                claim.save()
                _log(user, claim, "Added from an article's reading view.")
                default = f"Added claim and cited “{article.title}”."
            else:
                default = f"Cited “{article.title}”."
            citation = Citation(claim=claim, article=article, quote=quote, location=location, stance=stance)
            citation.speaker = speaker
            # Where the editor selected: anchoring prefers that occurrence when the quote occurs more than once.
            # A position outside the text is no hint (a forged or garbled form), and PostgreSQL's integer
            # column refused one past 2**31 - 1 with a message about a field the editor never saw.
            if near is not None and not 0 <= near <= len(article.text_of(location) or ""):
                near = None
            citation.start, citation.prefix, citation.suffix = near, prefix[-64:], suffix[:64]
            citation.full_clean()
            citation.save()
            _log(user, citation, "Added from an article's reading view.")
            versioning.add_whole(claim)
            reversion.set_comment(note or default)
    # The receivers refreshed the stored status in the database, not this instance.
    claim.refresh_from_db()
    return citation


def add_article_from_text(*, title, kind, body, captions, user, note=""):
    """Create an article with this body and these captions, recorded in its history with the change note."""
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        article = Article(title=title, kind=kind, body=body, captions=captions, slug=unique_article_slug(title))
        article.published = None
        article.full_clean()
        article.save()
        _log(user, article, "Added from text.")
        reversion.set_comment(note or "Added from text.")
    return article


# --- Page furniture --------------------------------------------------------------------


class LineKind:
    TEXT = "text"
    BLANK = "blank"
    FURNITURE = "furniture"
    CAPTION = "caption"


@dataclass(frozen=True)
class Line:
    number: int  # from 1
    text: str  # as pasted, without its line end
    kind: str
    reason: str = ""

    @property
    def suggested_removal(self):
        return self.kind == LineKind.FURNITURE

    @property
    def suggested_caption(self):
        return self.kind == LineKind.CAPTION


_FURNITURE = [
    (r"advertisement|advertising|sponsored( content)?|promoted", "an advertisement slot"),
    (r"skip to (main )?content|skip navigation|(main )?menu|search|home|log ?in|sign ?in|register", "navigation"),
    (
        r"share( this)?( article| story| page| on \w+)?|tweet|email|print|copy link|whatsapp|facebook|twitter|x"
        r"|linkedin|telegram|reddit",
        "a share prompt",
    ),
    (
        r"(read|see) more|related( articles| stories| topics| news)?|also (worth )?read(ing)?|more (from|on) .{0,60}"
        r"|most (read|popular|viewed)|trending( now)?|recommended( for you)?|latest( news)?|top stories"
        r"|you may also like",
        "the heading of a list of other articles",
    ),
    (
        r"(new: )?you can now listen to articles\.?|this audio is generated by an ai tool\.?|listen( to this article)?"
        r"|\d+ min(ute)?s? read|comments?( \(\d+\))?|follow us( on .{0,40})?|subscribe.{0,80}|sign up.{0,80}"
        r"|download (our|the) app.{0,60}|get the app",
        "a site prompt",
    ),
    (r"(©|\(c\)|copyright).{0,120}|all rights reserved\.?", "a copyright line"),
    (
        r"there are no comments yet\..{0,60}|be the first to comment\.?|leave a comment|post a comment"
        r"|max(imum)?:? ?\d+ characters\.?|\d+ characters? (left|remaining)\.?",
        "the comment box",
    ),
    (r"source: .{1,40}", "a source tag"),
]
FURNITURE = [(re.compile(rf"(?:{pattern})\Z", re.IGNORECASE), reason) for pattern, reason in _FURNITURE]
LIST_HEADING = "the heading of a list of other articles"
AGENCIES = r"AP|AFP|Reuters|Getty Images|Xinhua|KCNA|VNA|Vietnam News Agency|EPA|Yonhap|Bloomberg|Kyodo|AAP"
PHOTO_CREDIT = re.compile(
    rf"(?:(?:photo|image|picture|photograph|credit)s?(?: by)?\s*[:/]\s*.{{1,80}}"
    rf"|(?:[-–—]\s*)?(?:{AGENCIES})(?:/.{{1,60}})?)\Z",
    re.IGNORECASE,
)
CAPTION = re.compile(
    rf"(?:\((?:photo|image|picture)s?\s*:[^)]*\)|\b(?:photo|image|picture)s?\s*(?:by|:)\s*\S.{{0,80}}\Z"
    rf"|\s[-–—]\s(?:{AGENCIES})(?:/\S.*)?\Z|\A(?:file )?photo of\b|\Acaption:)",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?…:;”’\"')]\Z")


def classify_lines(text, title=""):
    """Each line of a pasted page, with a suggestion: article text, furniture to remove, or a photo caption.

    Suggestions only; the editor confirms every one. Rules, in order:
    a line that matches a known piece of site furniture; a short photo
    credit; a caption (a line that credits a photo, "File photo of …");
    the headline, when it is the title given; a line repeating an earlier one (a headline shown twice); one or two
    words before the first paragraph of prose (section navigation); and the
    short, unpunctuated lines under a heading such as "Related" or "Also
    worth reading" (a list of other headlines).
    """
    lines, seen, prose_seen, under_list = [], set(), False, False
    for number, raw in enumerate((text or "").split("\n"), start=1):
        stripped = raw.strip()
        kind, reason = LineKind.TEXT, ""
        if not stripped:
            kind = LineKind.BLANK
        else:
            words = stripped.split()
            furniture = next((why for pattern, why in FURNITURE if pattern.match(stripped)), None)
            if furniture:
                kind, reason = LineKind.FURNITURE, furniture
                under_list = furniture == LIST_HEADING
            elif len(words) <= 8 and PHOTO_CREDIT.match(stripped):
                kind, reason = LineKind.FURNITURE, "a photo credit"
            elif len(words) > 5 and CAPTION.search(stripped):
                kind, reason = LineKind.CAPTION, "it credits a photo"
            elif title and stripped == title.strip():
                kind, reason = LineKind.FURNITURE, "the headline: it is the article's title"
            elif stripped in seen:
                kind, reason = LineKind.FURNITURE, "it repeats an earlier line"
            elif under_list and len(words) <= 16 and not SENTENCE_END.search(stripped):
                kind, reason = LineKind.FURNITURE, "a headline in a list of other articles"
            elif not prose_seen and len(words) <= 2 and not SENTENCE_END.search(stripped):
                kind, reason = LineKind.FURNITURE, "navigation before the article starts"
            else:
                under_list = False
                if len(words) > 12:
                    prose_seen = True
            seen.add(stripped)
        lines.append(Line(number, raw, kind, reason))
    return lines


def split_lines(text, removed, captions):
    """(body, captions): the text exactly as pasted minus the removed and caption lines; captions one a line.

    `removed` and `captions` are sets of line numbers (from 1).
    """
    kept, caption_lines = [], []
    for number, line in enumerate((text or "").split("\n"), start=1):
        if number in captions:
            caption_lines.append(line.strip())
        elif number not in removed:
            kept.append(line)
    return "\n".join(kept), "\n".join(caption_lines)


MAX_UPLOAD_BYTES = 1_000_000


class UnreadableText(ValueError):
    pass


def decode_upload(data):
    """A plain-text file's bytes as text, or UnreadableText saying why not, in words an editor can act on."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableText(
            f"This file is {len(data):,} bytes; the limit is {MAX_UPLOAD_BYTES:,}. "
            "Upload only the article's text, or paste it."
        )
    if b"\x00" in data[:8192]:
        raise UnreadableText(
            "This file is not plain text (it holds binary data: a PDF, a Word document or an image?). "
            "Save the article as plain text (.txt, UTF-8) or paste its text."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableText(
            f"This file is not UTF-8 text: the byte 0x{data[error.start]:02x} at position {error.start:,} is not "
            "valid UTF-8 (the file may be in another encoding, such as Windows-1252). "
            "Save it as UTF-8 plain text, or paste its text."
        ) from None
    controls = sorted({c for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t"})
    if controls:
        raise UnreadableText(
            f"This file holds control characters ({', '.join(_codepoint(c) for c in controls[:3])}) that plain "
            "text never has. Save the article as plain text, or paste its text."
        )
    return text


def location_label(location):
    return Location(location).label
