"""Run a team's analyses: one papermill notebook each, in parallel, into a new run folder.

Run folder (DESIGN.md contract)::

    run.json                    status per analysis, parameters, input sha256, versions, start/end times
    index.html                  links to each analysis report (written last: its presence means the run ended)
    <analysis>/notebook.ipynb   the executed notebook (kept, with its error, if it failed)
    <analysis>/report.html      the notebook as HTML without code cells (only for analyses that succeeded)
    <analysis>/results.json     the numbers (removed if the analysis failed, so nothing looks complete)
    <analysis>/figures/*.png

Everything is validated before the folder is created, so bad input writes nothing. run.json is written
atomically at the start with status "running" and rewritten at the end, so a run killed at any moment leaves a
folder that says "running", never "succeeded".

Two things keep a large log from costing twice: validation leaves the reduced inputs it computed (the baseline's
per-ticket table) in a private temporary folder that the notebooks read (``RunContext.prepared_dir``, deleted when
the run ends), and each notebook's kernel is started and warmed up while validation runs (``kernels.WarmKernel``).
"""

from __future__ import annotations

import datetime as dt
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, analyses
from .config import TeamConfig, load_config
from .errors import InputError
from .locations import notebooks_dir
from .results import write_json_atomic
from .sources import Snapshots

if TYPE_CHECKING:  # kernels imports jupyter_client: only when a run starts
    from .kernels import WarmKernel

#: packages whose versions go into run.json (provenance of every number)
PROVENANCE_PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "pingouin",
    "lifelines",
    "duckdb",
    "matplotlib",
    "papermill",
    "nbconvert",
    "pyarrow",
)


#: run.json's keys and what they mean; the results reference page's table is generated from this
#: (``python -m inbound_playbook.results_reference``)
RUN_JSON_KEYS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("status",), "`running` while the run goes on (and forever, if it was killed), then `succeeded` or `failed`."),
    (
        ("team", "title", "config", "seed", "timezone"),
        "Who the run is for, the config file it read, the seed of every random step, the zone naive "
        "timestamps were read in.",
    ),
    (("started_at", "finished_at"), "UTC times, ISO 8601."),
    (
        ("analyses",),
        "Per analysis: `status`, `started_at`, `finished_at`, `seconds`, `error` (the exception, when it "
        "failed) and `parameters` (exactly what the notebook received).",
    ),
    (
        ("inputs",),
        "Per input file: `path`, `bytes`, `sha256`. Warehouse inputs add `source: sql`, the `url` "
        "(password hidden), the `query` and the `rows` returned; the checksum is of the snapshot the run "
        "read. An engine input for the baseline's events (`{url, table / query / path}`) adds `source: engine`, "
        "`engine`, `queries` (every SQL statement the engine ran; `query` joins them), `pulled`, `rows` and "
        "`bytes_pulled` (what came back: one-row aggregates and one row per ticket, never the events; above "
        "`max_tickets_pulled` tickets, `pulled: weekly aggregates` and only per-week rows); its "
        "checksum is of the per-ticket table (of the weekly rows in aggregates mode).",
    ),
    (("versions",), "Python and every package that computed a number."),
    (("command",), "The command line, when run through `playbook`."),
)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def default_out_dir(config: TeamConfig) -> Path:
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    return Path("reports") / config.team / stamp


@dataclass
class AnalysisRecord:
    name: str
    status: str = "pending"  # pending | running | succeeded | failed
    parameters: dict[str, Any] = field(default_factory=dict)
    started_at: str | None = None
    finished_at: str | None = None
    seconds: float | None = None
    error: str | None = None


@dataclass
class RunResult:
    out_dir: Path
    records: dict[str, AnalysisRecord]

    @property
    def succeeded(self) -> bool:
        return all(r.status == "succeeded" for r in self.records.values())

    @property
    def exit_status(self) -> int:
        return 0 if self.succeeded else 1


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "inbound-playbook": __version__}
    for name in PROVENANCE_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def input_files(config_path: Path, config: TeamConfig, names: list[str]) -> list[Path]:
    """The config and every input file of the selected analyses."""
    files = [config_path.resolve()]
    for name in names:
        files.extend(Path(p) for p in getattr(config, name).input_paths())
    return files


def file_signature(path: str | Path) -> tuple[int, int]:
    """Size and modification time: how the end of a run tells that an input changed (no second hash of a large
    log; make and rsync use the same test)."""
    stat = Path(path).stat()
    return stat.st_size, stat.st_mtime_ns


def input_checksums(
    config_path: Path, config: TeamConfig, names: list[str], snapshots: Snapshots | None = None
) -> list[dict[str, Any]]:
    """Size and SHA-256 of the config and every input file; SQL inputs also name their URL and query."""
    from .io import sha256_file  # imports pandas: not before the kernels have started

    files = input_files(config_path, config, names)
    from_sql = {record["snapshot"]: record for record in (snapshots.records if snapshots else [])}
    seen, rows = set(), []
    for path in files:
        if path in seen:
            continue
        seen.add(path)
        row = {"path": str(path), "bytes": path.stat().st_size, "sha256": sha256_file(path)}
        if str(path) in from_sql:
            sql = from_sql[str(path)]
            row = {
                "path": f"sql snapshot of {sql['key']}",
                "bytes": row["bytes"],
                "sha256": row["sha256"],
                "source": "sql",
                **{k: v for k, v in sql.items() if k not in ("key", "snapshot", "bytes")},
                **({"bytes_pulled": sql["bytes"]} if "bytes" in sql else {}),
            }
        rows.append(row)
    return rows


def notebook_parameters(
    config: TeamConfig, name: str, run_dir: Path, prepared_dir: Path | None = None
) -> dict[str, Any]:
    """The papermill parameters of one analysis: its config section, the shared context, its output folder, and
    what it reads from the analyses it requires (the baseline's weekly table for the ITS, its section for the
    feasibility estimates)."""
    section = getattr(config, name)
    parameters = section.notebook_parameters()
    parameters.update(config.context(output_dir=run_dir / name, prepared_dir=prepared_dir).notebook_parameters())
    package = analyses.module(name)
    parameters.update(package.NOTEBOOK_INPUTS)
    for need in package.requires(section):
        parameters[need.parameter] = need.notebook_value(getattr(config, need.analysis), run_dir)
    return parameters


class Run:
    """One execution of a team's analyses into ``out_dir``."""

    def __init__(
        self,
        config_path: str | Path,
        *,
        only: list[str] | None = None,
        out_dir: str | Path | None = None,
        progress: bool = True,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.config_path = Path(config_path)
        self.config = load_config(self.config_path)
        self.names = analyses.select(self.config, only, self.config_path)
        self.out_dir = Path(out_dir) if out_dir is not None else default_out_dir(self.config)
        self.progress = progress
        self.log = log or (lambda message: print(message, file=sys.stderr, flush=True))
        self.records = {name: AnalysisRecord(name) for name in self.names}
        self.started_at: str | None = None
        self.finished_at: str | None = None
        self.inputs: list[dict[str, Any]] = []

    # -- phases -------------------------------------------------------------------------------------------------
    def validate(self, prepared_dir: Path | None = None) -> None:
        analyses.validate(self.config, self.names, prepared_dir)
        if self.out_dir.exists():
            raise InputError(
                "the output folder already exists; a run never overwrites an earlier run",
                file=self.out_dir,
                fix="choose a new --out folder, or leave --out out to get reports/<team>/<UTC time>/",
            )

    def execute(self) -> RunResult:
        from .kernels import WarmKernel

        kernels: dict[str, WarmKernel] = {}
        try:
            # started first so that their start-up and imports overlap the validation below
            for name in self.names:
                kernels[name] = WarmKernel(name)
            with Snapshots() as snapshots, tempfile.TemporaryDirectory(prefix="playbook-prepared-") as prepared:
                snapshots.materialize(self.config, [s for s in self.config.sql_sources if s.section in self.names])
                return self._execute(snapshots, Path(prepared), kernels)
        finally:
            for kernel in kernels.values():
                kernel.shutdown()

    def _execute(self, snapshots: Snapshots, prepared_dir: Path, kernels: dict[str, WarmKernel]) -> RunResult:
        # signatures before validation reads and before hashing: a change during either is caught at the end
        # (a missing file is left to validation, which names it)
        signatures = {
            str(path): file_signature(path)
            for path in input_files(self.config_path, self.config, self.names)
            if path.is_file()
        }
        self.validate(prepared_dir)
        self.inputs = input_checksums(self.config_path, self.config, self.names, snapshots)
        try:
            self.out_dir.mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            raise InputError(
                "the output folder already exists", file=self.out_dir, fix="choose a new --out folder"
            ) from None
        self.out_dir = self.out_dir.resolve()
        self.started_at = utc_now().isoformat()
        for name in self.names:
            self.records[name].parameters = notebook_parameters(self.config, name, self.out_dir, prepared_dir)
        self.write_run_json(status="running")
        self.log(f"Running {', '.join(self.names)} for team '{self.config.team}' into {self.out_dir}")

        futures: dict[str, Future] = {}
        with ThreadPoolExecutor(max_workers=len(self.names) + 1) as pool:
            # the report writer's one-off start-up (importing nbconvert, its first conversion) runs on the core a
            # notebook kernel leaves idle, instead of after the first notebook
            reporting_ready = pool.submit(_warm_up_reports)
            for position, name in enumerate(self.names):
                upstream = [futures[d] for d in analyses.dependencies(self.config, name) if d in futures]
                futures[name] = pool.submit(self._run_after, name, position, upstream, kernels[name])
            for future in futures.values():
                future.result()
            reporting_ready.result()

        self.finished_at = utc_now().isoformat()
        snapshots_made = {record["snapshot"] for record in snapshots.records}
        changed = [
            path
            for path, signature in signatures.items()
            if path not in snapshots_made and file_signature(path) != signature
        ]
        if changed:
            for record in self.records.values():
                record.status, record.error = "failed", f"an input file changed during the run: {changed[0]}"
        status = "succeeded" if all(r.status == "succeeded" for r in self.records.values()) else "failed"
        self.write_run_json(status=status)
        from .report import write_index

        write_index(self.out_dir, self.run_json(status))
        for record in self.records.values():
            mark = "ok" if record.status == "succeeded" else "FAILED"
            detail = f" ({record.error})" if record.error else ""
            self.log(f"  {record.name:<12} {mark:<7} {record.seconds or 0:6.1f} s{detail}")
        self.log(f"Report: {self.out_dir / 'index.html'}")
        return RunResult(self.out_dir, self.records)

    def _run_after(self, name: str, position: int, upstream: list[Future], kernel: WarmKernel) -> None:
        for future in upstream:
            future.result()
        failed_upstream = [
            d
            for d in analyses.dependencies(self.config, name)
            if self.records.get(d, None) is not None and self.records[d].status != "succeeded"
        ]
        record = self.records[name]
        if failed_upstream:
            record.status = "failed"
            record.error = f"not run: it needs the {failed_upstream[0]} analysis, which failed"
            return
        self._run_one(name, position, kernel)

    def _run_one(self, name: str, position: int, kernel: WarmKernel) -> None:
        import papermill
        from papermill.exceptions import PapermillExecutionError

        from .report import write_report

        record = self.records[name]
        folder = self.out_dir / name
        folder.mkdir()
        record.status, record.started_at = "running", utc_now().isoformat()
        clock = time.perf_counter()
        notebook_out = folder / "notebook.ipynb"
        try:
            kernel.move_to(folder)
            papermill.execute_notebook(
                str(notebooks_dir() / f"{name}.ipynb"),
                str(notebook_out),
                parameters=record.parameters,
                kernel_name="python3",
                progress_bar={"desc": f"{name:<12}", "position": position, "leave": True} if self.progress else False,
                report_mode=False,
                km=kernel.manager,  # the warm kernel, already in the analysis folder (see kernels.py)
            )
            if not (folder / "results.json").is_file():
                raise RuntimeError("the notebook finished without writing results.json")
            write_report(notebook_out, folder / "report.html", analysis=name, run=self.run_json("running"))
            record.status = "succeeded"
        except PapermillExecutionError as exc:
            record.status = "failed"
            record.error = f"{exc.ename}: {exc.evalue}".strip()
        except Exception as exc:  # kernel died, report rendering failed: the run goes on with the others
            record.status = "failed"
            record.error = f"{type(exc).__name__}: {exc}"
        finally:
            record.seconds = round(time.perf_counter() - clock, 2)
            record.finished_at = utc_now().isoformat()
        if record.status == "failed":
            # A failed analysis must not leave numbers that look like a finished report.
            for leftover in ("results.json", "report.html"):
                (folder / leftover).unlink(missing_ok=True)

    # -- run.json -----------------------------------------------------------------------------------------------
    def run_json(self, status: str) -> dict[str, Any]:
        return {
            "status": status,
            "team": self.config.team,
            "title": self.config.title or self.config.team,
            "config": str(self.config_path.resolve()),
            "seed": self.config.seed,
            "timezone": self.config.timezone,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "analyses": {
                name: {
                    "status": r.status,
                    "started_at": r.started_at,
                    "finished_at": r.finished_at,
                    "seconds": r.seconds,
                    "error": r.error,
                    "parameters": r.parameters,
                }
                for name, r in self.records.items()
            },
            "inputs": self.inputs,
            "versions": package_versions(),
            "command": " ".join(["playbook", *sys.argv[1:]]) if sys.argv and "playbook" in sys.argv[0] else None,
        }

    def write_run_json(self, status: str) -> None:
        write_json_atomic(self.out_dir / "run.json", self.run_json(status))


def _warm_up_reports() -> None:
    from .report import warm_up

    warm_up()


def run(
    config_path: str | Path, *, only: list[str] | None = None, out_dir: str | Path | None = None, progress: bool = True
) -> RunResult:
    """Validate, then run the configured analyses. Raises InputError (nothing written) on bad input."""
    return Run(config_path, only=only, out_dir=out_dir, progress=progress).execute()
