"""The relay process's guard against outliving its service."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from unittest import mock

from plumbing import relay_process
from plumbing.settings import PlatformSettings


def _in_this_process() -> contextlib.ExitStack:
    """The test runs `_main` in pytest's own process: no death signal and no
    logging set-up for it."""
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(relay_process, "die_with_parent"))
    stack.enter_context(mock.patch("plumbing.logging.configure_logging"))
    return stack


def test_a_child_whose_parent_is_gone_does_not_start(tmp_path: Path) -> None:
    # The service was killed while the child imported: its pid is no parent now.
    shared = mock.Mock()
    with _in_this_process(), mock.patch.object(relay_process.asyncio, "run") as run:
        relay_process._main(
            "services.registratie.service",
            PlatformSettings(verzuim_data_dir=tmp_path),
            shared,
            parent=os.getppid() + 1,
        )

    run.assert_not_called()
    assert list(tmp_path.iterdir()) == []


def test_a_child_of_its_parent_starts(tmp_path: Path) -> None:
    with _in_this_process(), mock.patch.object(relay_process.asyncio, "run") as run:
        relay_process._main(
            "services.registratie.service",
            PlatformSettings(verzuim_data_dir=tmp_path),
            mock.Mock(),
            parent=os.getppid(),
        )

    run.assert_called_once()
    run.call_args.args[0].close()  # the coroutine it was handed, never awaited
