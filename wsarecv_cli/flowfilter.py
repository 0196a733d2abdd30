"""`--filter`: a small display-filter language that selects flows (stdlib only).

    expression := term (("or" | "||") term)*
    term       := factor (("and" | "&&") factor)*
    factor     := ("not" | "!") factor | "(" expression ")" | primitive
    primitive  := "tcp" | "udp" | "proto" ("tcp" | "udp") | "host" ADDR | "port" N

`host` and `port` match either end of a flow, as in tcpdump; addresses are IPv4 or IPv6 (no
brackets needed). A flow is selected when the expression is true; `--flow` choices are then
looked for among the selected flows. Examples: `host 10.0.0.1 and port 80`,
`udp or (tcp and not port 443)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from wsarecv_cli.net import Endpoint, FlowId, Transport, parse_ip

Predicate = Callable[[FlowId, Endpoint, Endpoint], bool]
_TOKEN = re.compile(r"\s*(\(|\)|&&|\|\||!|[^\s()!&|]+)")


@dataclass(frozen=True, slots=True)
class FlowFilter:
    text: str
    predicate: Predicate = field(compare=False, repr=False)

    def matches(self, flow_id: FlowId, a: Endpoint, b: Endpoint) -> bool:
        return self.predicate(flow_id, a, b)

    @classmethod
    def parse(cls, text: str) -> FlowFilter:
        """Compile an expression; ValueError says what is wrong and where."""
        tokens = _tokens(text)
        parser = _Parser(tokens)
        predicate = parser.expression()
        if parser.pos != len(tokens):
            raise ValueError(f"unexpected {tokens[parser.pos]!r} in filter {text!r}")
        return cls(text.strip(), predicate)


def _tokens(text: str) -> list[str]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ValueError(f"cannot read filter {text!r} at {text[pos:]!r}")
        tokens.append(match.group(1))
        pos = match.end()
    if not tokens:
        raise ValueError("empty filter: use e.g. 'host 10.0.0.1 and port 80'")
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> str | None:
        return self.tokens[self.pos].lower() if self.pos < len(self.tokens) else None

    def _take(self, what: str) -> str:
        if self.pos >= len(self.tokens):
            raise ValueError(f"filter ends where {what} was expected")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def expression(self) -> Predicate:
        return self._joined(("or", "||"), self.term, any)

    def term(self) -> Predicate:
        return self._joined(("and", "&&"), self.factor, all)

    def _joined(self, words: tuple[str, str], part: Callable[[], Predicate], combine: Callable) -> Predicate:
        """part (word part)*: the parts combined with any (or) / all (and)."""
        parts = [part()]
        while self._peek() in words:
            self.pos += 1
            parts.append(part())
        return parts[0] if len(parts) == 1 else (lambda f, a, b: combine(p(f, a, b) for p in parts))

    def factor(self) -> Predicate:
        word = self._peek()
        if word in ("not", "!"):
            self.pos += 1
            inner = self.factor()
            return lambda f, a, b: not inner(f, a, b)
        if word == "(":
            self.pos += 1
            inner = self.expression()
            if self._take("')'") != ")":
                raise ValueError(f"missing ')' before {self.tokens[self.pos - 1]!r}")
            return inner
        return self.primitive()

    def primitive(self) -> Predicate:
        word = self._take("host, port, tcp, udp or proto").lower()
        if word == "proto":
            word = self._take("tcp or udp after proto").lower()
        if word in ("tcp", "udp"):
            transport = Transport.TCP if word == "tcp" else Transport.UDP
            return lambda f, a, b: f.transport is transport
        if word == "host":
            value = self._take("an address after host")
            try:
                addr = parse_ip(value.strip("[]"))
            except ValueError:
                raise ValueError(f"host {value!r} is not an IPv4 or IPv6 address") from None
            return lambda f, a, b: a.addr == addr or b.addr == addr
        if word == "port":
            value = self._take("a number after port")
            if not value.isdigit() or int(value) > 0xFFFF:
                raise ValueError(f"port {value!r} is not a number 0..65535")
            port = int(value)
            return lambda f, a, b: a.port == port or b.port == port
        raise ValueError(f"unknown word {word!r} in filter (known: host ADDR, port N, tcp, udp, proto tcp|udp, "
                         "and, or, not, parentheses)")
