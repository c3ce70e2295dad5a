"""The ``playbook`` command: run, validate, init.

Exit status (DESIGN.md contract): 0 all analyses succeeded; 2 bad config or bad data (nothing run); 1 an analysis
failed. Bad input prints one clear message, never a traceback.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .config import ANALYSES
from .errors import InputError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse exits with status 2 on usage errors, which matches 'bad input'; keep its message short."""

    def error(self, message: str):  # noqa: D401
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="playbook", description="Rerun the Inbound Playbook's analyses on your team's data.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run the configured analyses into a new report folder")
    run.add_argument("config", type=Path, help="the team config (team.yml)")
    run.add_argument(
        "--only",
        nargs="+",
        choices=list(ANALYSES),
        metavar="NAME",
        help=f"run only these analyses ({', '.join(ANALYSES)}) and what they depend on",
    )
    run.add_argument("--out", type=Path, help="report folder (must not exist); default reports/<team>/<UTC time>/")
    run.add_argument("--quiet", action="store_true", help="no progress bars")

    validate = sub.add_parser("validate", help="check the config and every input file; run nothing")
    validate.add_argument("config", type=Path)

    init = sub.add_parser("init", help="create a team folder from the data templates")
    init.add_argument("dir", type=Path, help="new folder for your team's config and data")
    return parser


def cmd_validate(args) -> int:
    from . import analyses
    from .config import load_config
    from .sources import Snapshots

    config = load_config(args.config)
    names = analyses.select(config, None, args.config)
    with Snapshots() as snapshots:
        snapshots.materialize(config, config.sql_sources)
        analyses.validate(config, names)
    print(f"{args.config}: config and data are valid for {', '.join(names)}.")
    return EXIT_OK


def cmd_run(args) -> int:
    from .runner import Run

    run = Run(args.config, only=args.only, out_dir=args.out, progress=not args.quiet)
    result = run.execute()
    return result.exit_status


def cmd_init(args) -> int:
    from .locations import templates_dir

    target: Path = args.dir
    if target.exists() and any(target.iterdir()):
        raise InputError("the folder exists and is not empty", file=target, fix="choose a new folder name")
    source = templates_dir()
    target.mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir()):
        if item.is_file():
            shutil.copy2(item, target / item.name)
    print(f"Created {target} from the templates. Next:")
    print(f"  1. Export your data over the template files in {target} (keep the headers, or map yours in team.yml).")
    print(f"  2. Edit {target / 'team.yml'}: team slug, time zone, step names.")
    print(f"  3. playbook validate {target / 'team.yml'}")
    print(f"  4. playbook run {target / 'team.yml'}")
    return EXIT_OK


COMMANDS = {"run": cmd_run, "validate": cmd_validate, "init": cmd_init}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted: the run folder (if any) says 'running' and is not a finished report", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
