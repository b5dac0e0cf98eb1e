"""The timeline's windows, its pages, its headings and its at-a-glance overview.

The timeline shows one window of history at a time: a decade (?decade=1990),
a year (?year=2025) or a month (?month=2025-10), or every year when all the
matching events fit on one page. An event belongs to the one window where it
starts, so browsing window after window shows each event once, a range under
the period where it begins. A window holding more than EVENTS_PER_PAGE events
is read a page at a time, each page continuing after the last event of the one
before (?after=<start>.<rank>.<pk>, a keyset: any page costs what the first
does).

The overview is drawn from counts per year (one GROUP BY, see
EventQuerySet.year_counts) and from the page's own events, never from every
row, so it costs the same whatever the size of the knowledge base.
"""

import calendar
import datetime
from dataclasses import dataclass, field
from math import sqrt
from urllib.parse import urlencode

from django.utils.html import format_html, format_html_join

from articles.dates import DatePrecision, truncate
from articles.listing import attach_tags
from articles.models import Event, fixed_url

EVENTS_PER_PAGE = 40
# The event the knowledge base is about: the overview marks its days.
SUBJECT_EVENT_SLUG = "to-lam-state-visit-north-korea-2025"
# The parameters that choose a window (and a page in it); the others filter.
WINDOW_PARAMS = ("decade", "year", "month", "after")


def _first_of(year, month=1):
    """1 January (or the month's first day) of `year`; None past the last year a date can hold.

    The decade "0s" (the years 1-9, as an event's date reads) starts in the year 1: there is no year 0.
    """
    if year > datetime.MAXYEAR:
        return None
    return datetime.date(max(year, datetime.MINYEAR), month, 1)


@dataclass(frozen=True)
class Window:
    """A stretch of history the timeline shows: events starting in [first, stop)."""

    kind: str  # "all", "decade", "year" or "month"
    first: datetime.date | None = None
    stop: datetime.date | None = None  # None: open-ended

    @classmethod
    def everything(cls):
        return cls("all")

    @classmethod
    def decade(cls, decade):
        return cls("decade", _first_of(decade), _first_of(decade + 10))

    @classmethod
    def year(cls, year):
        return cls("year", _first_of(year), _first_of(year + 1))

    @classmethod
    def month(cls, first):
        following = _first_of(first.year + 1) if first.month == 12 else first.replace(month=first.month + 1)
        return cls("month", first, following)

    @property
    def number(self):
        """The year that names a decade's or a year's window: 1990 for the 1990s, 0 for the years 1-9."""
        year = self.first.year
        return year - year % 10 if self.kind == "decade" else year

    @property
    def label(self):
        """The window in words: "every year", "the 1990s", "2025", "October 2025"."""
        if self.kind == "decade":
            return f"the {self.number}s"
        if self.kind == "year":
            return str(self.first.year)
        if self.kind == "month":
            return f"{self.first:%B %Y}"
        return "every year"

    @property
    def params(self):
        """The query parameters that choose this window."""
        if self.kind == "month":
            return {"month": f"{self.first.year:04d}-{self.first.month:02d}"}
        if self.kind in ("decade", "year"):
            return {self.kind: self.number}
        return {}

    @property
    def by_month(self):
        """Whether the window's headings are months (a year or a month) rather than years."""
        return self.kind in ("year", "month")

    def holds_year(self, year):
        """Whether events starting in `year` can fall in the window (a month's window: its year)."""
        if self.kind == "all":
            return True
        if self.kind == "month":
            return year == self.first.year
        return self.first.year <= year and (self.stop is None or year < self.stop.year)

    def count(self, counts):
        """How many events start in the window, from the counts per year (None for a month: not counted)."""
        if self.kind == "month":
            return None
        return sum(n for year, n, _ in counts if self.holds_year(year))

    def events(self, events):
        """`events` narrowed to the window."""
        if self.kind == "all":
            return events
        if self.stop is None:
            return events.filter(start__gte=self.first)
        return events.starting_in(self.first, self.stop)


def choose_window(filters, counts):
    """The window the reader asked for; without one, the widest that fits on a page.

    Every year when all the matching events fit; otherwise the latest decade
    if it fits, else the latest year (paged if it is still too long).
    """
    if "month" in filters:
        return Window.month(filters["month"])
    if "year" in filters:
        return Window.year(filters["year"])
    if "decade" in filters:
        return Window.decade(filters["decade"])
    total = sum(n for _, n, _ in counts)
    if total <= EVENTS_PER_PAGE:
        return Window.everything()
    latest = counts[-1][0]
    decade = Window.decade(latest - latest % 10)
    if decade.count(counts) <= EVENTS_PER_PAGE:
        return decade
    return Window.year(latest)


def window_page(events, window, after=None):
    """(events, next key): up to EVENTS_PER_PAGE of `events` in `window`, after the key `after` if given.

    `events` come back in timeline order, with participants and tags; the next
    key is None on the window's last page. One more row than shown is read, to
    know whether there is a next page without counting.
    """
    rows = window.events(events).in_timeline_order()
    rows = rows.with_participants()
    if after is not None:
        rows = rows.after(*after)
    page = attach_tags(rows[: EVENTS_PER_PAGE + 1])
    if len(page) <= EVENTS_PER_PAGE:
        return page, None
    page = page[:EVENTS_PER_PAGE]
    return page, page[-1].timeline_key


def subject_event():
    """The event the knowledge base is about (the overview marks its days), or None."""
    return Event.objects.filter(slug=SUBJECT_EVENT_SLUG).first()


# --- URLs ----------------------------------------------------------------------------------


def timeline_url(filters=None, **params):
    """/timeline/ with the reader's filters (actor, tag, from, to) and the given window parameters."""
    kept = {name: value for name, value in (filters or {}).items() if name not in WINDOW_PARAMS}
    query = {name: value for name, value in {**kept, **params}.items() if value not in (None, "")}
    url = fixed_url("articles:timeline")
    return f"{url}?{urlencode(query)}" if query else url


def cursor_of(key):
    """The ?after= value for a timeline key (start, precision rank, pk)."""
    start, rank, pk = key
    return f"{start.isoformat()}.{rank}.{pk}"


def parse_cursor(text):
    """(start, rank, pk) from an ?after= value; ValueError if it is not one."""
    start, rank, pk = text.split(".")
    return datetime.date.fromisoformat(start), int(rank), int(pk)


def timeline_url_of(event):
    """The timeline at `event`: its year, starting with it, so it is on the page however full the year."""
    start, rank, pk = event.timeline_key
    return f"{timeline_url(year=start.year, after=cursor_of((start, rank, pk - 1)))}#event-{event.slug}"


# --- Headings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """A heading over the events that start in one period, at the precision they are dated to."""

    id: str
    label: str


def heading_for(event, window):
    """ "1950s" for a decade, a year for a year or a range that starts in it, a month in a year's window."""
    start, precision = event.start, event.date_precision
    if precision == DatePrecision.DECADE:
        decade = start.year - start.year % 10  # "0s" for the years 1-9, as the event's date reads
        return Heading(f"decade-{decade}", f"{decade}s")
    if window.by_month and precision in (DatePrecision.MONTH, DatePrecision.DAY):
        return Heading(f"month-{start.year:04d}-{start.month:02d}", f"{start:%B %Y}")
    return Heading(f"year-{start.year}", str(start.year))


def group_by_heading(events, window):
    """[(Heading, events)] in order: the events arrive in timeline order, so each heading's are together."""
    groups = []
    for event in events:
        heading = heading_for(event, window)
        if not groups or groups[-1][0] != heading:
            groups.append((heading, []))
        groups[-1][1].append(event)
    return groups


# --- Neighbouring windows ------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def neighbours(window, counts, filters):
    """(earlier, up, later): the nearest windows of the same kind with events, and the one around this one."""
    years = [year for year, _, _ in counts]
    if window.kind == "decade":
        decades = sorted({year - year % 10 for year in years})
        here = window.number
        earlier = max((d for d in decades if d < here), default=None)
        later = min((d for d in decades if d > here), default=None)
        return (
            earlier is not None and Link(f"the {earlier}s", timeline_url(filters, decade=earlier)),
            None,
            later is not None and Link(f"the {later}s", timeline_url(filters, decade=later)),
        )
    if window.kind == "year":
        here = window.first.year
        earlier = max((y for y in years if y < here), default=None)
        later = min((y for y in years if y > here), default=None)
        decade = here - here % 10
        return (
            earlier is not None and Link(str(earlier), timeline_url(filters, year=earlier)),
            Link(f"the {decade}s", timeline_url(filters, decade=decade)),
            later is not None and Link(str(later), timeline_url(filters, year=later)),
        )
    if window.kind == "month":
        # Months are not counted, so their neighbours stay within the year: a
        # chain of "later" links would otherwise lead a crawler through every
        # empty month to the year 9999.
        first = window.first
        before = first.replace(month=first.month - 1) if first.month > 1 else None
        after = first.replace(month=first.month + 1) if first.month < 12 else None
        return (
            before and Link(f"{before:%B %Y}", timeline_url(filters, month=f"{before.year:04d}-{before.month:02d}")),
            Link(str(first.year), timeline_url(filters, year=first.year)),
            after and Link(f"{after:%B %Y}", timeline_url(filters, month=f"{after.year:04d}-{after.month:02d}")),
        )
    return None, None, None


# --- The overview ----------------------------------------------------------------------------

# Heights in pixels (widths are percentages, so the drawing fits any screen at the
# same text size): bars of events per year stand on BAR_BASE, decades are named
# under them, and the detail strip's lanes start at LANE_TOP.
BAR_BASE, BAR_HEIGHT, DECADE_Y, CAPTION_Y = 44, 32, 58, 76
LANE_TOP, LANE_STEP, MAX_LANES = 86, 9, 5


def _fraction_of_year(day):
    days = 366 if calendar.isleap(day.year) else 365
    return day.year + (day.timetuple().tm_yday - 1) / days


def _period_end(event):
    """The day after the last day the event may cover, at its precision (for drawing its extent)."""
    last = event.end or event.start
    last = truncate(last, event.date_precision)
    precision = event.date_precision
    try:
        if precision == DatePrecision.DECADE:
            return last.replace(year=last.year + 10)
        if precision == DatePrecision.YEAR:
            return last.replace(year=last.year + 1)
        if precision == DatePrecision.MONTH:
            if last.month == 12:
                return _first_of(last.year + 1) or datetime.date.max  # December 9999
            return last.replace(month=last.month + 1)
    except ValueError:  # past the last year a date can hold
        return datetime.date.max
    return last + datetime.timedelta(days=1) if last < datetime.date.max else last


@dataclass
class Scale:
    """Maps a time (a year as a float) to a percentage of the overview's width, with a margin either side."""

    low: float
    high: float

    def x(self, value):
        value = min(max(value, self.low), self.high)
        return round(3 + 94 * (value - self.low) / (self.high - self.low), 2)

    def x_of(self, day):
        return self.x(_fraction_of_year(day))

    def width(self, low, high):
        return max(round(self.x(high) - self.x(low), 2), 0.6)


@dataclass
class Overview:
    """What templates/includes/timeline_overview.html draws; every x and width is a percentage."""

    first_year: int
    last_year: int
    window_label: str
    bars: list = field(default_factory=list)
    decades: list = field(default_factory=list)
    highlight: dict | None = None
    subject: dict | None = None
    ticks: list = field(default_factory=list)
    marks: list = field(default_factory=list)
    subject_band: dict | None = None
    lanes: int = 1
    busiest: tuple = (0, 0)
    contested_years: int = 0

    @property
    def lane_bottom(self):
        return LANE_TOP + self.lanes * LANE_STEP

    @property
    def height(self):
        return self.lane_bottom + 18

    @property
    def band_height(self):
        """The visit's band: across every lane, from just above the first."""
        return self.lane_bottom - LANE_TOP + 3

    @property
    def tick_y(self):
        return self.lane_bottom + 12

    # The fixed heights, for the template.
    bar_base, decade_y, caption_y, band_y = BAR_BASE, DECADE_Y, CAPTION_Y, LANE_TOP - 3

    # The repeated shapes are written here rather than looped over in the
    # template: a hundred bars and marks cost the template engine ten times more.
    def bars_svg(self):
        """One link per year with events: a bar as tall as their number, a dot when some are contested."""
        return format_html_join(
            "\n",
            '<a href="{}" aria-label="{}"><rect class="overview__hit" x="{}%" y="0" width="{}%" height="{}"></rect>'
            '<rect class="overview__bar{}" x="{}%" y="{}" width="{}%" height="{}"></rect>{}</a>',
            (
                (
                    bar["url"],
                    f"{bar['year']}: {bar['n']} event{'s' if bar['n'] != 1 else ''}"
                    + (f", {bar['contested']} contested" if bar["contested"] else ""),
                    bar["slot"],
                    bar["slot_width"],
                    BAR_BASE,
                    " overview__bar--current" if bar["current"] else "",
                    bar["x"],
                    bar["y"],
                    bar["width"],
                    bar["height"],
                    _dot(bar["middle"], bar["dot_y"], 2) if bar["contested"] else "",
                )
                for bar in self.bars
            ),
        )

    def marks_svg(self):
        """One link per event on the page, to it in the list: a bar over the time it covers."""
        rows = []
        for mark in self.marks:
            event = mark["event"]
            classes = "".join(
                f" overview__mark--{name}"
                for name, on in (
                    ("approximate", event.date_approximate),
                    ("contested", event.contested),
                    ("subject", mark["subject"]),
                )
                if on
            )
            label = f"{event.date_display}: {event.title}" + (" (contested)" if event.contested else "")
            dot = _dot(mark["x"], mark["dot_y"], 3) if event.contested else ""
            rows.append((event.slug, label, classes, mark["x"], mark["y"], mark["width"], dot))
        return format_html_join(
            "\n",
            '<a href="#event-{}" aria-label="{}"><rect class="overview__mark{}" x="{}%" y="{}" width="{}%" height="6"'
            ' rx="1"></rect>{}</a>',
            rows,
        )


def _dot(x, y, radius):
    return format_html('<circle class="overview__contested" cx="{}%" cy="{}" r="{}"></circle>', x, y, radius)


def _ticks(window, scale, filters, counts, events):
    """The detail strip's axis: months of a year, years of a decade, decades of everything.

    A month is a link when it has events, as far as the page tells (a full
    page may go on, so then every month is): links to empty months would
    only lead readers and crawlers to empty pages.
    """
    if window.kind == "year":
        year = window.first.year
        held = {event.start.month for event in events if event.start.year == year}
        if len(events) >= EVENTS_PER_PAGE:
            held = set(range(1, 13))
        return [
            {
                "x": scale.x_of(datetime.date(year, month, 15)),
                "label": calendar.month_abbr[month],
                "name": f"{calendar.month_name[month]} {year}",
                "url": timeline_url(filters, month=f"{year:04d}-{month:02d}") if month in held else "",
            }
            for month in range(1, 13)
        ]
    if window.kind == "month":
        first = window.first
        days = calendar.monthrange(first.year, first.month)[1]
        return [
            {"x": scale.x_of(first.replace(day=day)), "label": str(day), "name": "", "url": ""}
            for day in (1, 5, 10, 15, 20, 25, days)
        ]
    if window.kind == "decade":
        held = {year for year, _, _ in counts}
        decade = window.number
        return [
            {
                "x": scale.x(year + 0.5),
                "label": f"’{year % 100:02d}",
                "name": str(year),
                "url": timeline_url(filters, year=year) if year in held else "",
            }
            for year in range(max(decade, datetime.MINYEAR), decade + 10)
        ]
    return []


def _place(marks):
    """Give each mark a lane, so that marks overlapping in time sit one above another (at most MAX_LANES)."""
    ends = []
    for mark in sorted(marks, key=lambda m: m["x"]):
        free = [lane for lane, end in enumerate(ends) if end <= mark["x"]]
        if free:
            lane = free[0]
        elif len(ends) < MAX_LANES:
            lane = len(ends)
            ends.append(0)
        else:
            lane = min(range(len(ends)), key=ends.__getitem__)
        ends[lane] = mark["x"] + mark["width"] + 0.3
        mark["y"] = LANE_TOP + lane * LANE_STEP
        mark["dot_y"] = mark["y"] + 3
    return max(len(ends), 1)


def build_overview(counts, window, events, subject, filters):
    """The overview's geometry, from the counts per year, the window, the page's events and the subject event.

    `counts`: [(year, events, contested)] for the reader's filters; `events`:
    the events on this page (bounded by EVENTS_PER_PAGE); `subject`: the
    event the knowledge base is about, or None.
    """
    if not counts:
        return None
    first_year, last_year = counts[0][0], counts[-1][0]
    whole = Scale(first_year, last_year + 1)
    biggest = max(n for _, n, _ in counts)
    overview = Overview(first_year=first_year, last_year=last_year, window_label=window.label)
    overview.busiest = max(((year, n) for year, n, _ in counts), key=lambda pair: (pair[1], -pair[0]))
    overview.contested_years = sum(1 for _, _, disputed in counts if disputed)
    step = whole.width(first_year, first_year + 1)
    for year, n, disputed in counts:
        height = round(3 + (BAR_HEIGHT - 3) * sqrt(n / biggest), 1)
        x = whole.x(year)
        overview.bars.append(
            {
                "year": year,
                "slot": x,
                "slot_width": step,
                "x": round(x + step * 0.1, 2),
                "middle": round(x + step / 2, 2),
                "width": round(max(step * 0.8, 0.3), 2),
                "y": round(BAR_BASE - height, 1),
                "height": height,
                "dot_y": round(BAR_BASE - height - 4, 1),
                "n": n,
                "contested": disputed,
                "current": window.kind != "all" and window.holds_year(year),
                "url": timeline_url(filters, year=year),
            }
        )
    for decade in sorted({year - year % 10 for year, _, _ in counts}):
        overview.decades.append(
            {
                "label": f"{decade}s",
                "x": whole.x(max(decade, first_year) + 0.01),
                "url": timeline_url(filters, decade=decade),
            }
        )
    if window.kind != "all":
        low = _fraction_of_year(window.first)
        high = _fraction_of_year(window.stop) if window.stop else last_year + 1
        overview.highlight = {"x": whole.x(low), "width": whole.width(low, high)}
    if subject is not None and first_year <= subject.start.year <= last_year:
        overview.subject = {"x": whole.x_of(subject.start), "url": subject.get_absolute_url(), "event": subject}

    # The detail strip: the window at a larger scale, with the page's events drawn as they are dated.
    if window.kind == "all":
        detail = whole
    else:
        high = _fraction_of_year(window.stop) if window.stop else window.first.year + 1
        detail = Scale(_fraction_of_year(window.first), high)
    overview.ticks = _ticks(window, detail, filters, counts, events)
    for event in events:
        low = _fraction_of_year(event.start)
        end = _period_end(event)
        high = _fraction_of_year(end) if end < datetime.date.max else detail.high
        overview.marks.append(
            {
                "event": event,
                "x": detail.x(low),
                "width": detail.width(low, high),
                "subject": subject is not None and event.pk == subject.pk,
            }
        )
    overview.lanes = _place(overview.marks)
    if subject is not None and (
        window.kind == "all" or window.first <= subject.start < (window.stop or datetime.date.max)
    ):
        low, high = _fraction_of_year(subject.start), _fraction_of_year(_period_end(subject))
        overview.subject_band = {"x": detail.x(low), "width": detail.width(low, high)}
    return overview
