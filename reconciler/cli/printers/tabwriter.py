"""Column alignment exactly as kubectl does it: a port of Go's text/tabwriter.

kubectl writes every table row as tab-terminated cells and lets a tabwriter pad them; `get`
uses minimum width 6 and padding 3, `describe` minimum width 0 and padding 2. Porting the
algorithm (rather than padding each column to its widest cell) reproduces kubectl's quirks too:
a column is aligned only over a block of consecutive lines that have a cell in it, the text after
the last tab of a line is never padded, and `describe`'s `Name:` values line up only within
their block. `remember_widths` is the k8s.io/cli-runtime fork's flag used by `get -w`: columns
never shrink from one flush to the next. Pure text in, text out; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GET_MIN_WIDTH = 6
GET_PADDING = 3
DESCRIBE_MIN_WIDTH = 0
DESCRIBE_PADDING = 2


@dataclass
class TabWriter:
    """Collects text with `\\t`-terminated cells; `flush()` returns it aligned."""

    min_width: int = GET_MIN_WIDTH
    padding: int = GET_PADDING
    remember_widths: bool = False
    _text: list[str] = field(default_factory=list)
    _max_widths: list[int] = field(default_factory=list)

    def write(self, text: str) -> None:
        self._text.append(text)

    def flush(self) -> str:
        """The aligned text written since the last flush."""
        text = "".join(self._text)
        self._text.clear()
        if not text:
            return ""
        trailing_newline = text.endswith("\n")
        lines = [line.split("\t") for line in text.split("\n")]
        if trailing_newline:
            lines.pop()
        out: list[str] = []
        self._format(lines, 0, len(lines), [], out)
        return "\n".join(out) + ("\n" if trailing_newline else "")

    def _format(
        self, lines: list[list[str]], line0: int, line1: int, widths: list[int], out: list[str]
    ) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(lines[this]) - 1:
                this += 1
                continue
            self._write_lines(lines, line0, this, widths, out)
            line0 = this
            width = self.min_width
            while this < line1 and column < len(lines[this]) - 1:
                width = max(width, len(lines[this][column]) + self.padding)
                this += 1
            width = self._remembered(column, width)
            self._format(lines, line0, this, [*widths, width], out)
            line0 = this
        self._write_lines(lines, line0, line1, widths, out)

    def _remembered(self, column: int, width: int) -> int:
        if not self.remember_widths:
            return width
        while len(self._max_widths) <= column:
            self._max_widths.append(0)
        self._max_widths[column] = max(self._max_widths[column], width)
        return self._max_widths[column]

    @staticmethod
    def _write_lines(
        lines: list[list[str]], line0: int, line1: int, widths: list[int], out: list[str]
    ) -> None:
        for cells in lines[line0:line1]:
            parts = []
            for j, cell in enumerate(cells):
                parts.append(cell.ljust(widths[j]) if j < len(widths) else cell)
            out.append("".join(parts))


def align(text: str, *, min_width: int = GET_MIN_WIDTH, padding: int = GET_PADDING) -> str:
    """Align one block of tab-separated text in one go."""
    writer = TabWriter(min_width=min_width, padding=padding)
    writer.write(text)
    return writer.flush()
