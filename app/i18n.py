"""What changes with the reader's language beyond gettext: dates and times, time zone names
and the spacing before a colon.

Dates and times are Babel's, in the current language (Flask-Babel's get_locale()); a moment
is shown in the zone it is given (an event's own, or Vietnam's: app/clock.py), never in UTC.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton, get_timezone_name
from babel.numbers import format_currency as babel_format_currency
from flask_babel import format_currency, format_date, format_decimal, format_time, get_locale
from flask_babel import gettext as _

from app import clock

# ---------------------------------------------------------------- dates and times


def _locale() -> Locale:
    return get_locale() or Locale.parse("vi")


def _in_zone(moment: datetime, timezone: str | tzinfo | None) -> datetime:
    """`moment` in `timezone` (an IANA name or a tzinfo), else in Vietnam's time; naive is UTC."""
    if timezone is None:
        zone = clock.VIETNAM
    elif isinstance(timezone, str):
        zone = ZoneInfo(timezone)
    else:
        zone = timezone
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(zone)


def day_text(day: date | datetime, *, year: bool = True) -> str:
    """A date in the reader's way: "23 thg 12, 2026", "Dec 23, 2026", "23 déc. 2026" (no year: "23 déc.")."""
    if isinstance(day, datetime):
        day = day.date()
    if year:
        return format_date(day, "medium")
    return format_skeleton("MMMd", day, locale=_locale())


def when(moment: datetime | None, timezone: str | tzinfo | None = None, *, year: bool = True) -> str:
    """A moment to the minute, as the wall clock of `timezone` (default Vietnam's) shows it.

    The locale's own pattern joins the date and a short time ("08:00 23 thg 12, 2026",
    "Dec 23, 2026, 8:00 AM", "23 déc. 2026, 08:00"): Babel's "medium" date-time has seconds.
    """
    if moment is None:
        return ""
    local = _in_zone(moment, timezone)
    pattern = str(_locale().datetime_formats["medium"])
    time = format_time(local, "short", rebase=False)
    return pattern.replace("{1}", day_text(local, year=year)).replace("{0}", time)


def time_range(
    start: datetime, end: datetime, timezone: str | tzinfo | None = None, *, year: bool = True
) -> str:
    """A slot's or an item's times after its day, on the wall clock of `timezone` (default
    Vietnam's): "Dec 23, 2026, 8:00 AM–8:20 AM", "08:00–08:20 23 thg 12, 2026"."""
    start, end = _in_zone(start, timezone), _in_zone(end, timezone)
    times = f"{format_time(start, 'short', rebase=False)}–{format_time(end, 'short', rebase=False)}"
    pattern = str(_locale().datetime_formats["medium"])
    return pattern.replace("{1}", day_text(start, year=year)).replace("{0}", times)


# ---------------------------------------------------------------- time zones

VIETNAM_ZONES = {"Asia/Ho_Chi_Minh", "Asia/Saigon"}


def _utc_offset(zone: ZoneInfo, at: datetime | None) -> str:
    offset = (at or clock.now()).astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(timezone: str | None, at: datetime | None = None) -> str:
    """A time zone as people say it: "Vietnam time (UTC+7)", translated; another zone by its
    CLDR name and offset at `at` ("Central European Time (UTC+1)"), never a bare IANA name."""
    if not timezone:
        return ""
    if timezone in VIETNAM_ZONES:
        return _("Vietnam time (UTC+7)")
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        return timezone
    name = get_timezone_name(zone, width="long", locale=_locale())
    return f"{name} ({_utc_offset(zone, at)})"


# ---------------------------------------------------------------- punctuation

# Languages that put a non-breaking space before a colon ("Catégorie : thé").
SPACE_BEFORE_COLON = {"fr"}


def colon() -> str:
    """What joins a label and its text: ": ", or a non-breaking space and ": " in French."""
    return "\u00a0: " if _locale().language in SPACE_BEFORE_COLON else ": "


# ---------------------------------------------------------------- numbers and money, fast
# A dashboard shows a thousand figures; Babel's format_decimal and format_currency read the
# locale's patterns anew at each call (about 0.1 ms each). Whole numbers, which are nearly all
# of them, are grouped here with the locale's own separator and currency pattern, read once per
# locale; anything else (negative, fractional) still goes through Babel. The output is Babel's
# (tests/test_i18n.py compares them).


@lru_cache(maxsize=32)
def _whole_number_style(locale_name: str) -> tuple[str, str, str]:
    locale = Locale.parse(locale_name)
    group = locale.number_symbols["latn"]["group"]
    prefix, _one, suffix = babel_format_currency(1, "VND", locale=locale).partition("1")
    return group, prefix, suffix


def _is_whole(value) -> bool:
    return type(value) is int and value >= 0


def number(value) -> str:
    """A number in the reader's locale ("1.234.567" in Vietnamese, "1,234,567" in English)."""
    if value is None:
        return ""
    if _is_whole(value):
        group = _whole_number_style(str(get_locale()))[0]
        return f"{value:,}".replace(",", group)
    return format_decimal(value)


def money(value) -> str:
    """An amount of VND in the reader's locale ("1.234.567 ₫", "₫1,234,567")."""
    if value is None:
        return ""
    if _is_whole(value):
        group, prefix, suffix = _whole_number_style(str(get_locale()))
        return prefix + f"{value:,}".replace(",", group) + suffix
    return format_currency(value, "VND")
