"""kubectl's column alignment: Go's text/tabwriter with kubectl's settings."""

from __future__ import annotations

from reconciler.cli.printers.tabwriter import DESCRIBE_MIN_WIDTH, DESCRIBE_PADDING, TabWriter, align


def test_get_columns_are_left_aligned_with_three_spaces_and_a_last_column_never_padded() -> None:
    text = "NAME\tREADY\tSTATUS\nkubia-abcde\t1/1\tRunning\n"
    assert align(text) == ("NAME          READY   STATUS\nkubia-abcde   1/1     Running\n")


def test_a_narrow_column_is_at_least_six_wide_as_in_kubectl_get() -> None:
    assert align("A\tB\nx\ty\n") == "A     B\nx     y\n"


def test_describe_aligns_values_only_within_a_block_of_tabbed_lines() -> None:
    text = "Name:\tkubia\nNamespace:\tdefault\nIPs:\n  IP:\t10.244.0.5\nControlled By:\tRC/kubia\n"
    aligned = align(text, min_width=DESCRIBE_MIN_WIDTH, padding=DESCRIBE_PADDING)
    assert aligned == (
        "Name:       kubia\n"
        "Namespace:  default\n"
        "IPs:\n"
        "  IP:           10.244.0.5\n"
        "Controlled By:  RC/kubia\n"
    )


def test_remembered_widths_keep_watch_rows_aligned_with_the_first_header() -> None:
    writer = TabWriter(remember_widths=True)
    writer.write("NAME\tSTATUS\nkubia-long-name\tPending\n")
    first = writer.flush()
    writer.write("a\tRunning\n")
    assert first.splitlines()[0] == "NAME              STATUS"
    assert writer.flush() == "a                 Running\n"
