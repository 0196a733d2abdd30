"""--version names the model spec, `help TOPIC` pages, shell completion scripts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from wsarecv_cli.cli import help as help_pages
from wsarecv_cli.cli.main import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})


def test_version_names_the_model_spec() -> None:
    out = run("--version").stdout
    assert out.startswith("wsarecv 0.1.0 (model spec: WSARECV.md rules R1-R49, decisions Q1-Q13)")


def test_help_lists_topics() -> None:
    out = run("help").stdout
    for name in ("rules", "scenarios", "findings", "gaps", "damaged", "filter", "time", "terminal", "timeline",
                 "completion"):
        assert f"  {name} " in out


@pytest.mark.parametrize(("topic", "words"), [
    pytest.param("rules", "**R17**", id="rules"),
    pytest.param("scenarios", "samples/scenarios/udp_truncation.toml", id="scenarios"),
    pytest.param("gaps", "--gap-wait", id="gaps"),
    pytest.param("damaged", "damaged captures", id="damaged"),
    pytest.param("findings", "WR103", id="findings"),
    pytest.param("filter", "--filter 'host 10.0.0.1 and not port 443'", id="filter"),
    pytest.param("completion", "_WSARECV_COMPLETE=bash_source wsarecv", id="completion"),
])
def test_help_pages(topic: str, words: str) -> None:
    result = run("help", topic)
    assert result.exit_code == 0 and words.lower() in result.stdout.lower()


def test_an_installed_package_has_the_built_in_page(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(help_pages, "REPO", tmp_path)  # no docs/ beside an installed package
    assert help_pages.page("gaps").startswith("# Capture gaps, roles and artefacts")
    assert help_pages.page("damaged").startswith("# Damaged captures")
    assert "comes with the source" in help_pages.page("scenarios")


def test_unknown_topic_is_a_usage_error_listing_topics() -> None:
    result = run("help", "nope")
    assert result.exit_code == 2 and "no help topic 'nope'" in result.output and "timeline" in result.output


@pytest.mark.parametrize(("shell", "marker"), [("bash", "complete -o"), ("zsh", "#compdef wsarecv"),
                                                ("fish", "complete --no-files --command wsarecv")])
def test_shell_completion_scripts(shell: str, marker: str) -> None:
    env = {**os.environ, "_WSARECV_COMPLETE": f"{shell}_source"}
    code = "import sys; sys.argv = ['wsarecv']; from wsarecv_cli.cli.main import main; main()"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert marker in result.stdout
