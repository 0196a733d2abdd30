"""Golden text of the call table: fixed width, no color (what a pipe or a CI log gets)."""

from __future__ import annotations

from tests.render.conftest import render_text
from render_outcomes import mixed_outcomes, stream_outcomes

from wsarecv_cli.render.calls import CallTable, TableOptions, section_header, table_options_for
from wsarecv_cli.render.records import ReceiverInfo, SummaryAccumulator
from wsarecv_cli.render.summary import summary_panel


def table_text(outcomes, width=120, **kwargs) -> str:
    table = CallTable(TableOptions(width=width, max_buffer_len=10, **kwargs))
    return render_text(table.render(outcomes), width)


def test_mixed_rows_at_120(golden):
    """Scatter, truncation, pend + completion, CE's unsignalled event, a blocking reset."""
    golden("mixed_120", table_text(mixed_outcomes()))


def test_mixed_rows_wide_shows_socket_error(golden):
    text = table_text(mixed_outcomes(), width=150)
    assert "SOCKET_ERROR WSAEMSGSIZE" in text
    golden("mixed_150", text)


def test_show_data_and_explain(golden):
    golden("mixed_data_explain", table_text(mixed_outcomes(), buffer_columns=3, show_data=True,
                                            explain=True))


def test_narrow_console_folds_buffers(golden):
    golden("mixed_100_folded", table_text(mixed_outcomes(), width=100, buffer_columns=3))


def test_stream_with_section_header_and_summary(golden):
    info = ReceiverInfo(flow="tcp:0", receiver="10.0.0.1:51000", peer="10.0.0.2:80",
                        protocol="tcp", platform="desktop", mode="blocking", schedule="eager")
    opts = table_options_for([(8,)], width=100)
    table = CallTable(opts)
    summary = SummaryAccumulator.for_receiver(info)
    lines = [section_header(info), *table.header()]
    for outcome in stream_outcomes():
        summary.add(outcome)
        lines += table.push(outcome)
    lines += table.finish()
    lines.append(summary_panel(summary))
    golden("stream_section", render_text(lines, 100))


def test_max_calls_hides_rows_but_summary_counts_all(golden):
    table = CallTable(TableOptions(width=120, max_buffer_len=10, max_calls=2))
    text = render_text(table.render(mixed_outcomes()), 120)
    assert "… 4 more calls not shown" in text
    golden("mixed_max2", text)


def test_rows_stream_as_outcomes_arrive():
    """push() returns the row for a completed call at once; a blocking call waits for its return."""
    outcomes = mixed_outcomes()
    table = CallTable(TableOptions(width=120, max_buffer_len=10))
    assert len(table.push(outcomes[0])) == 1
    waiting = outcomes[5]
    assert table.push(waiting) == []  # held until it returns ...
    merged = table.push(outcomes[6])  # ... then one row with both times
    assert len(merged) == 1 and "0.007000  0.009000" in merged[0].plain


def test_no_ansi_without_terminal():
    text = table_text(mixed_outcomes())
    assert "\x1b[" not in text
