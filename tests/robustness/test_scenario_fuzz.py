"""Scenario files are untrusted input: fuzzing them (hypothesis, bounded; the long coverage-guided
run is fuzz/fuzz_scenario.py).

Two generators: mutations of the library's scenario files (lines dropped, duplicated or swapped,
bytes flipped, numbers replaced by hostile ones) and scenarios built from the whole vocabulary
with valid and hostile values. Reading, running and rendering must end with results or the
package's own error (WsarecvError), and an error is one line naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsarecv_cli.cli.main import cli  # noqa: F401  (registers the commands first)
from wsarecv_cli.cli.simulate import run_records
from wsarecv_cli.errors import WsarecvError
from wsarecv_cli.render.records import RecordOptions
from wsarecv_cli.replay.scenario import ARRIVE_KINDS, RECV_KEYS, SETSOCKOPT_KEYS, SOCKET_KEYS, STEP_KEYS, parse_scenario
from wsarecv_cli.replay.scenario_expect import RESULT_CALL_FIELDS, RESULT_FIELDS, SOCKET_FIELDS
from wsarecv_cli.replay.simulate import run_scenario

LIBRARY = Path(__file__).resolve().parents[2] / "samples" / "scenarios"
TEXTS = [p.read_text() for p in sorted(LIBRARY.glob("*.toml"))]
FUZZ = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
HOSTILE_NUMBERS = ["inf", "-inf", "nan", "1e308", "-1", "0", "9223372036854775807", "-9223372036854775808",
                   "2147483648", "4294967296", "0.5", "1e-320", "9" * 5000, "[" * 3000 + "]" * 3000,
                   "{a=" * 800 + "1" + "}" * 800]


def outcome(path: Path) -> str:
    """'ok', or the error line; anything but WsarecvError propagates (the test fails)."""
    try:
        run = run_scenario(parse_scenario(path))
        run_records(run, RecordOptions(show_data=True, explain=True))
        return "ok"
    except WsarecvError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith(str(path)), message
        return message


@st.composite
def mutated(draw) -> str:
    lines = draw(st.sampled_from(TEXTS)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "swap", "number", "flip"]))
        if action == "drop":
            del lines[i]
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "number":
            digits = [k for k, ch in enumerate(lines[i]) if ch.isdigit()]
            if digits:
                k = draw(st.sampled_from(digits))
                lines[i] = lines[i][:k] + draw(st.sampled_from(HOSTILE_NUMBERS)) + lines[i][k + 1:]
        elif lines[i]:
            k = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:k] + chr(draw(st.integers(0, 0x7F))) + lines[i][k + 1:]
    return "\n".join(lines) + "\n"


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(str(value), repr(value))
    if isinstance(value, (int, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"


TEXT = st.text(st.characters(max_codepoint=0x7E), max_size=6)  # json.dumps of these is valid TOML
VALUES = st.one_of(st.integers(-3, 40), st.sampled_from([2**31, -(2**63), 2**63 - 1]), st.booleans(),
                   st.floats(allow_nan=True, allow_infinity=True), TEXT,
                   st.sampled_from(["fin", "rst", "discon", "tcp", "udp", "iocp", "overlapped-event",
                                    "overlapped-routine", "nonblocking", "MSG_PEEK", "MSG_OOB", "untouched",
                                    "WSARecvMsg", "WSARecvFrom", "null", "low-bit", "AF_UNSPEC", "10.0.0.2:53",
                                    "listening", "unbound", "receive", "port-unreachable", "\x1b[2J"]),
                   st.lists(st.integers(-2, 12), max_size=4))


@st.composite
def built(draw) -> str:
    hostile = draw(st.booleans())  # half the time a socket table that is valid, so the steps run
    socket = draw(st.dictionaries(st.sampled_from(sorted(SOCKET_KEYS - {"protocol", "mode", "platform", "state",
                                                                        "connected_peer", "rcvtimeo_ms",
                                                                        "max_outstanding"}) + ["colour"]),
                                  VALUES if hostile else st.booleans(), max_size=3))
    socket.setdefault("protocol", draw(st.sampled_from(["tcp", "udp", "reliable-msg", "partial-msg"])))
    socket.setdefault("mode", draw(st.sampled_from(["blocking", "nonblocking", "overlapped-event",
                                                     "overlapped-routine", "iocp"])))
    if draw(st.booleans()):
        socket["state"] = draw(st.sampled_from(["connected", "not-connected", "listening", "unbound"]))
    out = ["[socket]"] + [f"{k} = {_toml(v)}" for k, v in socket.items()]
    for _ in range(draw(st.integers(0, 6))):
        step: dict = {}
        for key in draw(st.lists(st.sampled_from(sorted(STEP_KEYS)), max_size=3, unique=True)):
            if key == "arrive":
                kind = draw(st.sampled_from(ARRIVE_KINDS + ("fin",)))
                step[key] = kind if kind == "fin" else {kind: draw(VALUES)}
            elif key == "recv":
                step[key] = {"buffers": draw(st.lists(st.integers(-1, 9), max_size=3))}
                step[key].update(draw(st.dictionaries(st.sampled_from(sorted(RECV_KEYS)), VALUES, max_size=2)))
            elif key == "setsockopt":
                step[key] = {draw(st.sampled_from(sorted(SETSOCKOPT_KEYS))): draw(VALUES)}
            elif key in ("expect", "expect_completion", "expect_result"):
                names = sorted(RESULT_CALL_FIELDS if key == "expect_result" else RESULT_FIELDS | SOCKET_FIELDS)
                step[key] = draw(st.dictionaries(st.sampled_from(names), VALUES, max_size=3))
            elif key == "get_result":
                step[key] = draw(st.dictionaries(st.sampled_from(["n", "wait"]), VALUES, max_size=2))
            else:
                step[key] = draw(VALUES)
        out.append("[[step]]")
        out += [f"{k} = {_toml(v)}" for k, v in step.items()]
    return "\n".join(out) + "\n"


@FUZZ
@given(text=st.one_of(mutated(), built()))
def test_mutated_and_built_scenarios_give_results_or_one_line_errors(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fz") / "scenario.toml"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    outcome(path)
