"""The ``fkp`` command line (also ``python -m fkp_helpers``).

Every failure the user can fix ends in one line on stderr and exit status 2;
no traceback. Ctrl-C and ``SIGTERM`` (``timeout``, ``docker stop``, a job
scheduler) stop a command the same way: temporary files are removed, one line
says so, and the exit status is 130 (Ctrl-C) or 143 (``SIGTERM``), the
``128 + signal number`` a shell reports for a process that signal ended.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType, TracebackType

from ..errors import FkpError
from .argtypes import positive_int, random_seed
from .errors import CommandError

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM
"""143: the status of a process that ``SIGTERM`` ended (a scheduler reads it so)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``fkp`` with ``argv`` (default: ``sys.argv[1:]``) and return its exit
    status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    with TerminateAsInterrupt() as terminate:
        try:
            status = int(args.handler(args))
        except (FkpError, CommandError) as error:
            return _fail(str(error))
        except OSError as error:  # unwritable output folder, full disk, …
            where = f"{error.filename}: " if error.filename else ""
            return _fail(f"{where}{error.strerror or error}")
        except KeyboardInterrupt:
            stopped = "terminated (SIGTERM)" if terminate.received else "interrupted"
            print(f"fkp: {stopped}", file=sys.stderr)
            status = EXIT_INTERRUPTED
    if status == EXIT_INTERRUPTED and terminate.received:
        return EXIT_TERMINATED
    return status


class TerminateAsInterrupt:
    """Within the ``with`` block, ``SIGTERM`` raises ``KeyboardInterrupt`` like Ctrl-C.

    So the cleanup that Ctrl-C runs (``finally`` blocks, temporary files removed)
    runs for ``SIGTERM`` too. Only the first ``SIGTERM`` interrupts; later ones
    are ignored while that cleanup runs. ``received`` says whether one came. The
    previous handler is restored on exit. Outside the main thread nothing changes.
    """

    def __init__(self) -> None:
        self.received = False
        self._previous: signal.Handlers | object | None = None
        self._installed = False

    def __enter__(self) -> TerminateAsInterrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._interrupt)
            self._installed = True
        return self

    def _interrupt(self, signum: int, frame: FrameType | None) -> None:
        if not self.received:
            self.received = True
            raise KeyboardInterrupt

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._installed:
            signal.signal(signal.SIGTERM, self._previous)  # type: ignore[arg-type]
            self._installed = False


def _fail(message: str) -> int:
    print(f"fkp: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fkp",
        description="Facial keypoints: data, stand-in generator, training, "
        "submissions, photos and export.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    synth = commands.add_parser(
        "synth", help="write the stand-in dataset in Kaggle's file format"
    )
    synth.add_argument(
        "--out",
        type=Path,
        required=True,
        help="folder to write the five CSV files into",
    )
    synth.add_argument(
        "--seed", type=random_seed, default=0, help="random seed (default 0)"
    )
    synth.add_argument(
        "--n-train",
        type=positive_int,
        default=7049,
        help="training rows (default 7049)",
    )
    synth.add_argument(
        "--n-test", type=positive_int, default=1783, help="test images (default 1783)"
    )
    synth.set_defaults(handler=_synth)

    data = commands.add_parser("data", help="inspect a data folder")
    data_commands = data.add_subparsers(
        dest="data_command", required=True, metavar="SUBCOMMAND"
    )
    info = data_commands.add_parser(
        "info", help="validate the Kaggle files in a folder and summarise them"
    )
    info.add_argument(
        "--data",
        type=Path,
        default=None,
        help="data folder (default: FKP_DATA_DIR, ./data, else the stand-in)",
    )
    info.set_defaults(handler=_data_info)

    from .detect import add_commands as add_detect_commands
    from .export import add_commands as add_export_commands
    from .models import add_commands as add_model_commands

    add_model_commands(commands)
    add_detect_commands(commands)
    add_export_commands(commands)
    return parser


def _synth(args: argparse.Namespace) -> int:
    from ..standin.dataset import write_dataset

    if args.out.exists() and not args.out.is_dir():
        raise CommandError(f"{args.out}: exists and is not a folder")
    summary = write_dataset(
        args.out, n_train=args.n_train, n_test=args.n_test, seed=args.seed
    )
    print(
        f"Wrote the stand-in ({summary.n_train} training / {summary.n_test} test "
        f"images, seed {summary.seed}) to {summary.path}: {summary.n_complete} "
        f"complete training rows, {summary.n_lookup_rows} lookup rows"
    )
    return EXIT_OK


def _data_info(args: argparse.Namespace) -> int:
    from ..data.check import check_folder
    from ..data.sources import find_data

    folder = args.data if args.data is not None else find_data().path
    report = check_folder(folder)
    print(report.render())
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
