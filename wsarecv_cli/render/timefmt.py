"""How times are shown, as tshark's `-t` does: r (relative to the first frame, the default),
a / ad (local time of day / with date), u / ud (the same in UTC), e (seconds since 1970), d
(since the previous line shown).

Records (`--json`, `--ndjson`) keep `t` in seconds from the first frame whatever is chosen: the
choice is about reading, not about the data scripts rely on.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class TimeFormat(enum.Enum):
    RELATIVE = "r"
    ABSOLUTE = "a"
    ABSOLUTE_DATE = "ad"
    UTC = "u"
    UTC_DATE = "ud"
    EPOCH = "e"
    DELTA = "d"

    @property
    def width(self) -> int:
        """Characters a time takes (columns are sized by it)."""
        return {"a": 15, "u": 15, "ad": 26, "ud": 26, "e": 17}.get(self.value, 9)

    @property
    def unit(self) -> str:
        """What a column header adds after its name: ' s' for durations, nothing for clock times."""
        return " s" if self in (TimeFormat.RELATIVE, TimeFormat.EPOCH, TimeFormat.DELTA) else ""


CHOICES = [f.value for f in TimeFormat]
HELP = ("How times are shown (tshark's -t): r relative to the first frame (default), a / ad local "
        "time / with date, u / ud UTC, e epoch seconds, d since the previous line.")


@dataclass(slots=True)
class Clock:
    """Formats capture times (integer ns) in one format; remembers the previous for `d`."""

    fmt: TimeFormat = TimeFormat.RELATIVE
    origin_ns: int = 0
    _previous_ns: int | None = None

    def text(self, t_ns: int, advance: bool = True) -> str:
        fmt = self.fmt
        if fmt is TimeFormat.RELATIVE:
            return f"{(t_ns - self.origin_ns) / 1e9:.6f}"
        if fmt is TimeFormat.EPOCH:
            return f"{t_ns // 1_000_000_000}.{t_ns % 1_000_000_000 // 1000:06d}"
        if fmt is TimeFormat.DELTA:
            before = self.origin_ns if self._previous_ns is None else self._previous_ns
            if advance:
                self._previous_ns = t_ns
            return f"{(t_ns - before) / 1e9:.6f}"
        utc = fmt in (TimeFormat.UTC, TimeFormat.UTC_DATE)
        seconds, micros = divmod(t_ns // 1000, 1_000_000)
        moment = (dt.datetime.fromtimestamp(seconds, dt.timezone.utc) if utc
                  else dt.datetime.fromtimestamp(seconds))
        shown = moment.strftime("%Y-%m-%d %H:%M:%S" if fmt in (TimeFormat.ABSOLUTE_DATE, TimeFormat.UTC_DATE)
                                else "%H:%M:%S")
        return f"{shown}.{micros:06d}"
