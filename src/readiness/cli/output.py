"""Writing what a command produced: one format to standard output, or files under --out.

Shared by assess, verify and probe, so the three behave alike: an unknown format or
several formats on standard output is a usage error, files are named
``<name>.<extension>``, a reader that stops early (``| head``) is not an error, and a
write that fails says which file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from readiness.errors import UserError


class QuietStdout(Console):
    """Standard output that goes quiet when the reader stops early (`| head`) instead of
    exiting 1, which would read as a failed gate."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        _silence_stdout()


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def check_formats(formats: Sequence[str], available: Iterable[str], out: Path | None,
                  command: str = "") -> None:
    """A usage error for an unknown format, or for several formats without --out."""
    known = list(available)
    unknown = [f for f in formats if f not in known]
    if unknown:
        where = f" for {command}" if command else ""
        raise UserError(f"unknown format {unknown[0]!r}{where}; available: {', '.join(known)}")
    if out is None and len(formats) > 1:
        raise UserError(f"{len(formats)} formats would be mixed on standard output; "
                        "give --out DIR to write them to files")


def emit(formats: Sequence[str], out: Path | None, name: str, err: Console, *,
         terminal: Callable[[Console], None],
         render: Callable[[str], tuple[str, str]]) -> None:
    """Print the terminal format and write the others (``render(fmt) -> (extension, text)``)."""
    try:
        _emit(formats, out, name, err, terminal, render)
    except BrokenPipeError:
        _silence_stdout()  # the reader stopped early: not an error of ours


def _emit(formats: Sequence[str], out: Path | None, name: str, err: Console,
          terminal: Callable[[Console], None],
          render: Callable[[str], tuple[str, str]]) -> None:
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create output directory {out}: {exc.strerror}") from exc
    for fmt in formats:
        if fmt == "terminal":
            terminal(QuietStdout(soft_wrap=False))
            continue
        extension, text = render(fmt)
        if out is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            continue
        target = out / f"{name}.{extension}"
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {target}: {exc.strerror}") from exc
        err.print(f"wrote {escape(str(target))}", highlight=False)


def print_warnings(err: Console, formats: Sequence[str], warnings: Iterable[str]) -> None:
    """Warnings on standard error, unless the terminal report already showed them."""
    if "terminal" in formats:
        return
    for warning in warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)
