"""The packages whose public names load on first use (wsarecv_cli/lazy.py): every name listed
resolves to its module's object, the listing and the table agree, and an unknown name fails as
for any module."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = ["wsarecv_cli.capture", "wsarecv_cli.reassembly"]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_resolves_to_its_module_object(name: str) -> None:
    package = importlib.import_module(name)
    assert sorted(package.__all__) == sorted(package._EXPORTS)
    for export, module in package._EXPORTS.items():
        assert getattr(package, export) is getattr(importlib.import_module(f"{name}.{module}"), export)


@pytest.mark.parametrize("name", PACKAGES)
def test_an_unknown_name_is_an_attribute_error(name: str) -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        getattr(importlib.import_module(name), "Nope")


def test_simulate_does_not_import_the_capture_readers_or_the_tracker() -> None:
    """What the lazy packages are for: `wsarecv simulate` reads no capture (checked in a fresh
    interpreter: this test process has imported everything already)."""
    import subprocess
    import sys
    code = ("import sys; from click.testing import CliRunner; from wsarecv_cli.cli.main import cli; "
            "r = CliRunner().invoke(cli, ['simulate', '--tcp', 'hi']); assert r.exit_code == 0, r.output; "
            "print(' '.join(m for m in ('wsarecv_cli.capture.stream', 'wsarecv_cli.capture.decode', "
            "'wsarecv_cli.reassembly.flows') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
