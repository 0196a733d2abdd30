"""The application profile: the receive configuration a project keeps in `[tool.wsarecv]`.

A CI line stays short when the application's receive code is described once, next to it:

    [tool.wsarecv]
    buffers = [1024, 1024]        # or "1024,1024"
    flags = ["MSG_PARTIAL"]       # or "MSG_PARTIAL"
    mode = "iocp"
    outstanding = 2
    platform = "desktop"
    protocol = "udp"
    schedule = "eager"
    framing = "len:u16be"
    receiver = "server"
    fail-on = "any"

It is read from the nearest pyproject.toml holding a `[tool.wsarecv]` table (the current directory,
then each parent), or from `--profile FILE` (a pyproject.toml, or a TOML file with the keys at the
top level). Each value goes through the same parser as its command-line option; an option given on
the command line wins over the profile.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from wsarecv_cli.errors import WsarecvError


class ProfileError(WsarecvError):
    """A profile that cannot be read or holds an unknown key or a bad value (exit 1)."""


# profile key -> click parameter name, for the keys a profile may set.
PROFILE_KEYS: dict[str, str] = {
    "buffers": "buffers", "flags": "recv_flags", "mode": "mode", "outstanding": "outstanding",
    "platform": "platform", "protocol": "protocol", "schedule": "schedule", "framing": "framing",
    "receiver": "receiver", "oobinline": "oobinline", "connected-peer": "connected_peer",
    "keep-on-reset": "keep_on_reset", "fail-on": "fail_on",
}


@dataclass(frozen=True, slots=True)
class Profile:
    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)  # profile key -> raw TOML value


def find_profile(start: Path | None = None) -> Profile:
    """The nearest pyproject.toml with a [tool.wsarecv] table, from `start` (cwd) upward."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            table = _load(candidate).get("tool", {}).get("wsarecv")
            if table is not None:
                return _checked(candidate, table)
    return Profile()


def read_profile(path: str) -> Profile:
    """--profile FILE: its [tool.wsarecv] table, or its top level when it has none."""
    document = _load(Path(path))
    table = document.get("tool", {}).get("wsarecv")
    return _checked(Path(path), document if table is None else table)


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ProfileError(f"cannot read profile {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None


def _checked(path: Path, table: Any) -> Profile:
    if not isinstance(table, dict):
        raise ProfileError(f"{path}: [tool.wsarecv] must be a table")
    unknown = sorted(set(table) - set(PROFILE_KEYS))
    if unknown:
        raise ProfileError(f"{path}: unknown profile key {unknown[0]!r}; known: {', '.join(PROFILE_KEYS)}")
    return Profile(path, dict(table))


def _as_option_text(value: Any) -> Any:
    """TOML lists become the comma-separated text the options take; other values pass as they are."""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return value


def apply_profile(ctx: click.Context, options: dict[str, Any], profile: Profile) -> dict[str, str]:
    """Fill `options` (click's parsed values) from the profile where the command line did not give
    the option; return where each profile key's value came from ("profile" or "command line")."""
    sources: dict[str, str] = {}
    params = {param.name: param for param in ctx.command.params}
    for key, value in profile.values.items():
        name = PROFILE_KEYS[key]
        param = params.get(name)
        if param is None:
            continue
        if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT:
            sources[key] = "command line"
            continue
        try:
            options[name] = param.process_value(ctx, _as_option_text(value))
        except click.BadParameter as exc:
            raise ProfileError(f"{profile.path}: {key} = {value!r}: {exc.message}") from None
        sources[key] = "profile"
    return sources


def profile_lines(ctx: click.Context, options: dict[str, Any], profile: Profile, sources: dict[str, str],
                  show: Callable[[str, Any], str]) -> list[str]:
    """What is in force, one `key = value  (source)` line per profile key (`check --show-profile`)."""
    where = str(profile.path) if profile.path else "no profile found"
    lines = [f"# profile: {where}"]
    for key, name in PROFILE_KEYS.items():
        if name not in options:
            continue
        source = sources.get(key) or (
            "default" if ctx.get_parameter_source(name) is ParameterSource.DEFAULT else "command line")
        lines.append(f"{key} = {show(name, options[name])}  # {source}")
    return lines
