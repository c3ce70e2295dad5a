"""Where the baseline's event data path runs: an input spec becomes an Ibis table on the engine that holds the data.

An input in ``team.yml`` is a file path (read by DuckDB, embedded; the default, unchanged for file users) or a
mapping naming a database or cluster and what to read there::

    events: exports/events.parquet                   # DuckDB, on this machine
    events: {url: postgresql://analyst@warehouse:5432/support, table: support.ticket_events}
    events: {url: postgresql://analyst@warehouse/support, query: "select ... from ticket_events where ..."}
    events: {url: "spark://local[2]", path: /data/events.parquet}    # local Spark; spark://host:7077 = a cluster
    events: {url: "sc://spark-connect.internal:15002", table: support.ticket_events}   # Spark Connect

:func:`open_input` turns such a value into an :class:`OpenedInput`: the Ibis table expression, the backend it is
bound to, and an :class:`Engine` descriptor saying whether the engine's percentiles are exact or approximate (and
the error bound the engine publishes). Expressions built on that table run inside the engine; only what the caller
executes comes back, as Arrow (:func:`fetch_arrow` records what was pulled, for run.json).

Snowflake, BigQuery and Trino are compile-only here: :data:`ENGINES` describes them and :func:`compiled_sql` shows
the SQL Ibis would send (tested by snapshots), but a run against them is refused with a clear message, because
this project cannot test a connection to them.

Credentials never come from the config: a password written in a URL is refused, ``${NAME}`` is filled from the
environment, and libpq's own variables (PGPASSWORD, PGSERVICE, ~/.pgpass) apply as they do for psql.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .sources import _ENV_REFERENCE

if TYPE_CHECKING:  # pragma: no cover - typing only
    import ibis.expr.types as ir
    import pyarrow as pa

SPARK_EXTRA = "pip install 'inbound-playbook[spark]'"
_SPARK_APP_NAME = "inbound-playbook"


@dataclass(frozen=True)
class Engine:
    """What an engine is and how exact its percentiles are.

    ``error_bound`` is the engine's own published accuracy statement for its approximate quantile (None when the
    quantiles are exact, or when the engine publishes no bound: then ``error_bound_note`` says so).
    """

    name: str
    dialect: str
    label: str
    exact_quantiles: bool
    quantile_function: str
    error_bound: float | None = None
    error_bound_note: str | None = None
    runs_here: bool = True

    @property
    def quantile_method(self) -> str:
        return "exact" if self.exact_quantiles else "approximate"

    def describe(self) -> dict[str, Any]:
        """The engine as run.json and results.json record it."""
        return asdict(self) | {"quantile_method": self.quantile_method}


ENGINES: dict[str, Engine] = {
    "duckdb": Engine("duckdb", "duckdb", "DuckDB (embedded)", True, "quantile_cont (linear interpolation)"),
    "postgresql": Engine("postgresql", "postgres", "PostgreSQL", True, "percentile_cont (linear interpolation)"),
    "spark": Engine("spark", "pyspark", "Apache Spark", True, "percentile (exact, linear interpolation)"),
    "snowflake": Engine(
        "snowflake", "snowflake", "Snowflake", True, "MEDIAN / PERCENTILE_CONT (exact)", runs_here=False
    ),
    "bigquery": Engine(
        "bigquery",
        "bigquery",
        "Google BigQuery",
        False,
        "APPROX_QUANTILES",
        None,
        "BigQuery documents APPROX_QUANTILES as approximate and publishes no error bound for it "
        "(GoogleSQL 'Approximate aggregate functions': they do not let you specify the precision of the estimate; "
        "the KLL sketch functions do)",
        runs_here=False,
    ),
    "trino": Engine(
        "trino",
        "trino",
        "Trino",
        False,
        "approx_percentile",
        None,
        "Trino documents approx_percentile(x, percentage) as approximate and publishes no error bound for it "
        "(Trino's 'Aggregate functions' page; releases with an accuracy argument called it a maximum rank error, "
        "and Ibis passes none)",
        runs_here=False,
    ),
}

# URL scheme -> engine name. postgresql+psycopg is the SQLAlchemy spelling the snapshot sources already use.
_SCHEMES = {
    "duckdb": "duckdb",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "postgresql+psycopg": "postgresql",
    "spark": "spark",
    "sc": "spark",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "trino": "trino",
}


@dataclass(frozen=True)
class InputSpec:
    """One input as written in ``team.yml``: a file path, or ``url`` with exactly one of table, query or path."""

    url: str | None = None
    table: str | None = None
    query: str | None = None
    path: str | None = None

    @property
    def scheme(self) -> str:
        return "file" if self.url is None else self.url.split("://", 1)[0].lower()

    @property
    def engine(self) -> Engine:
        return ENGINES["duckdb" if self.url is None else _SCHEMES[self.scheme]]

    def describe(self) -> dict[str, Any]:
        """The spec as run.json may show it (URL without any password)."""
        from .sources import redacted

        shown: dict[str, Any] = {"engine": self.engine.name}
        if self.url is not None:
            shown["url"] = redacted(self.url) if self.engine.name == "postgresql" else self.url
        for key in ("table", "query", "path"):
            if getattr(self, key) is not None:
                shown[key] = getattr(self, key)
        return shown


def parse_input(
    value: str | os.PathLike | Mapping[str, Any], *, where: str, config_file: str | Path | None = None
) -> InputSpec:
    """Check an input value from the config and return its :class:`InputSpec` (InputError if it is not one).

    >>> parse_input({"url": "spark://local[2]", "path": "events.parquet"}, where="baseline.events").engine.name
    'spark'
    >>> parse_input("events.csv", where="baseline.events").engine.name
    'duckdb'
    """
    if isinstance(value, (str, os.PathLike)):
        return InputSpec(path=str(value))
    if not isinstance(value, Mapping):
        raise InputError(
            f"'{where}' must be a file path or a mapping with url and table, query or path",
            file=config_file,
            fix="write e.g. {url: postgresql://user@host/db, table: ticket_events}",
        )
    unknown = sorted(set(value) - {"url", "table", "query", "path"})
    if unknown:
        raise InputError(
            f"unknown key '{where}.{unknown[0]}'",
            file=config_file,
            fix="an engine input has url and one of table, query or path",
        )
    url = value.get("url")
    if not isinstance(url, str) or "://" not in url:
        raise InputError(
            f"'{where}.url' is missing or is not a URL",
            file=config_file,
            fix="write e.g. url: postgresql://analyst@warehouse:5432/support or url: spark://local[2]",
        )
    scheme = url.split("://", 1)[0].lower()
    if scheme not in _SCHEMES:
        known = ", ".join(sorted({s for s in _SCHEMES if "+" not in s}))
        raise InputError(
            f"'{where}.url': unknown engine '{scheme}://'",
            file=config_file,
            fix=f"use one of {known}, or a file path for DuckDB on this machine",
        )
    given = [key for key in ("table", "query", "path") if value.get(key) is not None]
    if len(given) != 1:
        raise InputError(
            f"'{where}' needs exactly one of table, query or path (got {', '.join(given) or 'none'})",
            file=config_file,
            fix="keep the one that says what to read",
        )
    if not isinstance(value[given[0]], str) or not value[given[0]].strip():
        raise InputError(f"'{where}.{given[0]}' must be a non-empty text", file=config_file)
    if _SCHEMES[scheme] == "postgresql":
        from .sources import check_no_literal_password

        check_no_literal_password(url, f"{where}.url", config_file)
        if given == ["path"]:
            raise InputError(
                f"'{where}.path' is for files read by DuckDB or Spark; PostgreSQL reads a table or a query",
                file=config_file,
                fix="write table: schema.table or query: select ...",
            )
    elif _literal_secret(url):
        raise InputError(
            f"'{where}.url' contains a password or token: credentials must not be written in the config",
            file=config_file,
            fix="write ${SOME_VARIABLE} in its place and set that environment variable",
        )
    return InputSpec(url=url, **{given[0]: value[given[0]]})


def _literal_secret(url: str) -> bool:
    """A password (user:password@) or a Spark Connect token (;token=...) written out rather than as ${NAME}."""
    authority = url.split("://", 1)[1].split("/", 1)[0]
    userinfo = authority.rsplit("@", 1)[0] if "@" in authority else ""
    secrets = [userinfo.partition(":")[2]] if ":" in userinfo else []
    secrets += [part.split("=", 1)[1] for part in url.split(";")[1:] if part.lower().startswith("token=")]
    return any(secret and not _ENV_REFERENCE.fullmatch(secret) for secret in secrets)


@dataclass
class OpenedInput:
    """An input opened on its engine: ``table`` is lazy; nothing has been read yet beyond the schema."""

    table: ir.Table
    engine: Engine
    backend: Any
    spec: InputSpec


def open_input(
    value: str | os.PathLike | Mapping[str, Any] | InputSpec,
    *,
    where: str = "baseline.events",
    config_file: str | Path | None = None,
    base_dir: str | Path | None = None,
) -> OpenedInput:
    """Open an input on the engine its spec names and return the Ibis table with the engine's descriptor.

    Relative file paths are read from ``base_dir`` (the config's folder). Every failure a user can fix (unknown
    engine, missing package or Java, unreachable server, wrong credentials, missing table or file) is an
    :class:`~inbound_playbook.errors.InputError`.
    """
    spec = value if isinstance(value, InputSpec) else parse_input(value, where=where, config_file=config_file)
    engine = spec.engine
    if not engine.runs_here:
        raise InputError(
            f"'{where}.url': {engine.label} is compile-only in this version of the playbook (its SQL is tested, "
            "a connection is not)",
            file=config_file,
            fix="run on DuckDB, PostgreSQL or Spark, or export the events to Parquet and give that file",
        )
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    if engine.name == "duckdb":
        backend = _connect_duckdb(spec, where, config_file)
    elif engine.name == "postgresql":
        backend = _connect_postgres(spec, where, config_file)
    else:
        backend = _connect_spark(spec, where, config_file)
    table = _read(backend, engine, spec, base, where, config_file)
    return OpenedInput(table=table, engine=engine, backend=backend, spec=spec)


def _connect_duckdb(spec: InputSpec, where: str, config_file) -> Any:
    import ibis

    database = ":memory:"
    if spec.url is not None:
        database = spec.url.split("://", 1)[1] or ":memory:"
        if database != ":memory:" and not Path(database).exists():
            raise InputError(
                f"'{where}.url': DuckDB database file {database} does not exist",
                file=config_file,
                fix="check the path after duckdb://",
            )
    return ibis.duckdb.connect(database, read_only=database != ":memory:")


def _connect_postgres(spec: InputSpec, where: str, config_file) -> Any:
    import ibis
    from sqlalchemy.engine import make_url

    from .sources import expand_environment

    url = make_url(expand_environment(spec.url, f"{where}.url"))
    host, port = url.host or os.environ.get("PGHOST"), url.port or int(os.environ.get("PGPORT", 5432))
    try:
        # password=None lets libpq read PGPASSWORD, PGPASSFILE or ~/.pgpass itself.
        return ibis.postgres.connect(
            host=host, port=port, user=url.username, password=url.password, database=url.database, connect_timeout=10
        )
    except ImportError as exc:
        raise InputError(
            f"'{where}.url': the PostgreSQL driver is missing ({exc})",
            fix="pip install 'inbound-playbook' (psycopg is one of its dependencies)",
        ) from None
    except Exception as exc:  # psycopg.OperationalError: refused, timeout, authentication
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"'{where}': cannot connect to PostgreSQL at {host}:{port}: {reason}",
            file=config_file,
            fix="check the host and port, that the server is reachable, and the credentials in the "
            "environment (PGPASSWORD or ~/.pgpass)",
        ) from None


def spark_session(master: str = "local[2]", *, shuffle_partitions: int = 2, **conf: str) -> Any:
    """A SparkSession for ``master`` (started once per process; later calls return the same session).

    Local sessions bind to 127.0.0.1, serve no web UI and log only errors, so a laptop run opens no port to the
    network. ``sc://host:port`` returns a Spark Connect session instead (nothing starts locally).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError("Spark is not installed", fix=SPARK_EXTRA) from None
    if master.startswith("sc://"):
        # The Connect client's own builder: pyspark's generic one refuses when a local session runs in the process.
        from pyspark.sql.connect.session import SparkSession as RemoteSession

        return RemoteSession.builder.remote(master).getOrCreate()
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise InputError(
            "Spark needs a Java runtime and none was found (no 'java' on PATH, JAVA_HOME unset)",
            fix="install Java 17, e.g. apt-get install openjdk-17-jre-headless",
        )
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # else Spark binds to the first network interface
    builder = SparkSession.builder.master(master).appName(_SPARK_APP_NAME)
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # Local: the driver is the whole cluster, and per-ticket results are collected into it (Spark's default
        # of 1 GB runs out near 10 million tickets); SPARK_DRIVER_MEMORY overrides, as for spark-submit.
        **(
            {
                "spark.driver.host": "127.0.0.1",
                "spark.driver.bindAddress": "127.0.0.1",
                "spark.driver.memory": os.environ.get("SPARK_DRIVER_MEMORY", "4g"),
                # Not ./spark-warehouse: a run leaves nothing in the folder it was started from.
                "spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "playbook-spark-warehouse"),
            }
            if master.startswith("local")
            else {}
        ),
        **conf,
    }
    for key, setting in settings.items():
        builder = builder.config(key, setting)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _connect_spark(spec: InputSpec, where: str, config_file) -> Any:
    try:
        import ibis
        import pyspark  # noqa: F401
    except ImportError:
        raise InputError(f"'{where}.url': Spark is not installed", file=config_file, fix=SPARK_EXTRA) from None
    from .sources import expand_environment

    rest = spec.url.split("://", 1)[1]
    if spec.scheme == "sc":
        master = expand_environment(spec.url, f"{where}.url")  # ;token=${SPARK_TOKEN}
        _check_reachable(rest.split("/", 1)[0].split(";", 1)[0], 15002, where, config_file, "Spark Connect server")
    elif rest.startswith("local"):
        master = rest
    else:  # spark://host:7077 is Spark's own URL of a standalone cluster's master
        master = spec.url
        _check_reachable(rest.split("/", 1)[0], 7077, where, config_file, "Spark master")
    try:
        session = spark_session(master)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(
            f"'{where}.url': Spark did not start for {master}: {str(exc).splitlines()[0]}",
            file=config_file,
            fix="check the URL, Java 17, and the cluster's logs",
        ) from None
    return ibis.pyspark.connect(session)


def _check_reachable(host_port: str, default_port: int, where: str, config_file, what: str) -> None:
    host, _, port = host_port.rpartition(":") if ":" in host_port else (host_port, "", str(default_port))
    try:
        with socket.create_connection((host, int(port)), timeout=5):
            pass
    except (OSError, ValueError) as exc:
        raise InputError(
            f"'{where}.url': cannot reach the {what} at {host}:{port} ({exc})",
            file=config_file,
            fix="check the host and port and that the server is running",
        ) from None


def _read(backend: Any, engine: Engine, spec: InputSpec, base: Path, where: str, config_file) -> ir.Table:
    try:
        if spec.table is not None:
            *database, name = spec.table.split(".")
            return backend.table(name, database=".".join(database) or None)
        if spec.query is not None:
            return backend.sql(spec.query)
        return _read_path(backend, spec.path, base, where, config_file)
    except InputError:
        raise
    except Exception as exc:
        what = f"table {spec.table}" if spec.table else ("the query" if spec.query else f"path {spec.path}")
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"'{where}': {engine.label} cannot read {what}: {reason}",
            file=config_file,
            fix="check the name (schema.table), the query in your SQL client, or the path",
        ) from None


def _read_path(backend: Any, path: str, base: Path, where: str, config_file) -> ir.Table:
    remote = "://" in path
    target = path if remote else str(base / path)
    if not remote and not Path(target).exists():
        raise InputError(
            f"'{where}': file {target} does not exist",
            file=config_file,
            fix="check the path (relative paths are read from the config's folder)",
        )
    lower = path.lower().rstrip("/")
    if lower.endswith((".csv", ".csv.gz", ".tsv", ".txt")):
        return backend.read_csv(target)
    if lower.endswith(".parquet") or (not remote and Path(target).is_dir()):
        return backend.read_parquet(target)
    raise InputError(
        f"'{where}': cannot tell the format of {path}",
        file=config_file,
        fix="give a .parquet file or folder, or a .csv file",
    )


# ---------------------------------------------------------------------------------------------------------------
# Percentiles


@dataclass(frozen=True)
class QuantileExpr:
    """A quantile expression with how it is computed on its engine (for the report's "approximate" label)."""

    expr: ir.FloatingScalar
    q: float
    method: str
    function: str
    error_bound: float | None
    error_bound_note: str | None


def quantile(column: ir.NumericColumn, q: float, engine: Engine) -> QuantileExpr:
    """The ``q`` quantile of ``column``: exact where the engine has one, else the engine's approximate quantile.

    Exact quantiles interpolate linearly between order statistics (numpy's default, R type 7) on DuckDB
    (``quantile_cont``), PostgreSQL and Snowflake (``percentile_cont``) and Spark (``percentile``), so all agree
    with ``numpy.quantile``. Ibis 12 cannot compile exact quantiles for BigQuery and Trino, so there the result is
    the engine's approximate quantile and ``method`` says "approximate".

    Parameters
    ----------
    column : ibis numeric column
        The values (missing values are ignored by every engine).
    q : float
        The quantile, 0 <= q <= 1 (0.5 uses the engine's median).
    engine : Engine
        Where the expression will run (decides exact or approximate).

    Returns
    -------
    QuantileExpr
        The scalar expression, and its method, function and the engine's published error bound.

    References
    ----------
    Hyndman, R. J. and Fan, Y. (1996). Sample quantiles in statistical packages. *The American Statistician* 50(4),
    361-365 (definition 7, the interpolation all exact engines here use).

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"hours": [1.0, 2.0, 4.0, 8.0]})
    >>> quantile(t.hours, 0.5, ENGINES["duckdb"]).expr.execute()
    3.0
    """
    if not 0 <= q <= 1:
        raise ValueError(f"quantile {q} outside 0..1")
    if engine.exact_quantiles:
        expr = column.median() if q == 0.5 else column.quantile(q)
    else:
        expr = column.approx_median() if q == 0.5 else column.approx_quantile(q)
    return QuantileExpr(
        expr=expr,
        q=q,
        method=engine.quantile_method,
        function=engine.quantile_function,
        error_bound=engine.error_bound,
        error_bound_note=engine.error_bound_note,
    )


@dataclass(frozen=True)
class OrderStatisticRanks:
    """1-based ranks (lower, upper) of the order statistics bounding a distribution-free CI of the median."""

    n: int
    lower: int
    upper: int
    coverage: float


def median_ci_ranks(n: int, confidence: float = 0.95) -> OrderStatisticRanks | None:
    """Ranks of the order statistics that give a distribution-free confidence interval for the median.

    For any continuous distribution, ``P(X_(l) <= median < X_(n+1-l)) = 1 - 2 P(B <= l - 1)`` with
    ``B ~ Binomial(n, 1/2)``. The largest ``l`` with ``P(B <= l - 1) <= (1 - confidence) / 2`` gives the shortest
    such interval with at least the stated coverage; ``coverage`` is its exact coverage. Returns None when even
    (X_(1), X_(n)) does not reach the confidence (n = 5 or fewer at 95%).

    Parameters
    ----------
    n : int
        Number of observations.
    confidence : float
        Nominal coverage, e.g. 0.95.

    Returns
    -------
    OrderStatisticRanks or None

    References
    ----------
    Conover, W. J. (1999). *Practical Nonparametric Statistics*, 3rd ed., section 3.2 (confidence interval for a
    quantile). Hollander, Wolfe and Chicken (2014), *Nonparametric Statistical Methods*, 3rd ed., section 3.6.

    Examples
    --------
    >>> median_ci_ranks(10)
    OrderStatisticRanks(n=10, lower=2, upper=9, coverage=0.978515625)
    >>> median_ci_ranks(5) is None
    True
    """
    from scipy.stats import binom

    if n < 1 or not 0 < confidence < 1:
        raise ValueError(f"need n >= 1 and 0 < confidence < 1 (got n={n}, confidence={confidence})")
    tail = (1 - confidence) / 2
    lower = int(binom.ppf(tail, n, 0.5))  # smallest k with P(B <= k) >= tail, so P(B <= lower - 1) < tail
    if binom.cdf(lower, n, 0.5) <= tail:  # exact tie with the tail probability: one rank further is allowed
        lower += 1
    if lower < 1:
        return None
    coverage = float(1 - 2 * binom.cdf(lower - 1, n, 0.5))
    return OrderStatisticRanks(n=n, lower=lower, upper=n + 1 - lower, coverage=coverage)


def order_statistics(table: ir.Table, column: str, ranks: Sequence[int]) -> ir.Table:
    """An expression giving the order statistics of ``column`` at the 1-based ``ranks`` (rows: rank, value).

    Computed in the engine with ``row_number()`` over the column's order, so only len(ranks) rows come back; ties
    do not matter (tied rows share the value). Missing values are left out before ranking. The window has no
    partition, so a distributed engine sorts the column in one task: fine for per-ticket durations (one number per
    ticket), not meant for raw events.

    Parameters
    ----------
    table : ibis Table
    column : str
        Name of a numeric column of ``table``.
    ranks : sequence of int
        1-based ranks, e.g. ``(r.lower, r.upper)`` from :func:`median_ci_ranks`.

    Returns
    -------
    ibis Table
        Columns ``rank`` and ``value``, one row per requested rank that exists, ordered by rank.

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"hours": [5.0, None, 1.0, 3.0, 3.0]})
    >>> order_statistics(t, "hours", [1, 3]).to_pyarrow().to_pylist()
    [{'rank': 1, 'value': 1.0}, {'rank': 3, 'value': 3.0}]
    """
    import ibis

    values = table.filter(table[column].notnull())
    ranked = values.select(value=values[column], rank=ibis.row_number().over(order_by=values[column]) + 1)
    return ranked.filter(ranked.rank.isin([int(r) for r in ranks])).select("rank", "value").order_by("rank")


def fetch_order_statistics(table: ir.Table, column: str, ranks: Sequence[int]) -> dict[int, float]:
    """Execute :func:`order_statistics` and return ``{rank: value}``."""
    result = order_statistics(table, column, ranks).to_pyarrow()
    return dict(zip(result["rank"].to_pylist(), result["value"].to_pylist(), strict=False))


# ---------------------------------------------------------------------------------------------------------------
# Time


def _builtin(name: str, arguments: tuple, returns: Any, *, aggregate: bool = False):
    """An engine's own SQL function (``aggregate``: aggregate function, which takes ``where=``) as an Ibis expression
    builder (signature given explicitly: this module's annotations are strings, which Ibis cannot evaluate)."""
    import ibis

    def one(a):  # Ibis reads the parameter names; the engine runs its own function
        """Built-in function of the engine."""

    def two(a, b):
        """Built-in function of the engine."""

    function = {1: one, 2: two}[len(arguments)]
    kind = ibis.udf.agg if aggregate else ibis.udf.scalar
    return kind.builtin(function, name=name, signature=(arguments, returns))


def local_to_utc(column: ir.TimestampColumn, zone: str, engine: Engine) -> ir.TimestampColumn:
    """Naive wall-clock timestamps read in ``zone`` (an IANA name) as UTC instants, computed in the engine.

    DuckDB (ICU) and PostgreSQL use ``timezone(zone, ts)``; Spark uses ``to_utc_timestamp(ts, zone)``, corrected so
    that a wall time occurring twice is read as its later occurrence as DuckDB and PostgreSQL read it
    (:func:`_spark_local_to_utc`). All three use the IANA database; a wall time that does not exist (the hour the
    clocks skip) is still resolved by each engine's own rule (documented in the running-analyses chapter).
    """
    import ibis.expr.datatypes as dt

    naive = column.cast(dt.Timestamp())
    if engine.name == "spark":
        return _spark_local_to_utc(naive, zone)
    if engine.name in ("duckdb", "postgresql"):  # timezone(zone, local) -> timestamp with time zone
        return _builtin("timezone", (dt.string, dt.Timestamp()), dt.Timestamp(timezone="UTC"))(zone, naive)
    raise ValueError(f"naive timestamps cannot be read in a time zone on {engine.label}: it does not run here")


def _spark_local_to_utc(naive: ir.TimestampColumn, zone: str) -> ir.TimestampColumn:
    """Spark's ``to_utc_timestamp(local, zone)``, with a wall time that occurs twice (the hour the clocks go back)
    read as its later occurrence, as DuckDB (ICU) and PostgreSQL read it; Spark alone takes the earlier one.

    In microseconds: ``first`` is Spark's instant, ``used`` the offset it applied; ``after`` is the zone's offset
    three hours later. When a smaller offset follows and the wall time minus it maps back to the same wall time,
    the time was ambiguous and that later instant is taken.
    """
    import ibis
    import ibis.expr.datatypes as dt

    naive_type = dt.Timestamp()
    to_utc = _builtin("to_utc_timestamp", (naive_type, dt.string), naive_type)
    from_utc = _builtin("from_utc_timestamp", (naive_type, dt.string), naive_type)
    micros = _builtin("unix_micros", (naive_type,), dt.int64)
    at = _builtin("timestamp_micros", (dt.int64,), naive_type)
    as_session_time = _builtin("timestamp", (naive_type,), naive_type)  # TIMESTAMP_NTZ -> TIMESTAMP, session UTC
    wall = micros(as_session_time(naive))
    first = micros(to_utc(naive, zone))
    used = wall - first
    probe = first + 3 * 3_600_000_000
    after = micros(from_utc(at(probe), zone)) - probe
    later = wall - after
    ambiguous = (used > after) & (micros(from_utc(at(later), zone)) == wall)
    return at(ibis.ifelse(ambiguous, later, first)).cast(dt.Timestamp(timezone="UTC"))


def epoch_micros(column: ir.TimestampColumn, engine: Engine) -> ir.IntegerColumn:
    """Microseconds since 1970-01-01 UTC as an integer, on every engine.

    Ibis's ``epoch_seconds`` is whole seconds on Spark (``unix_timestamp``) and BigQuery (``UNIX_SECONDS``), so
    each engine gets its own exact function: DuckDB ``epoch_us``, Spark and BigQuery ``unix_micros``, Snowflake
    ``DATE_PART('epoch_microsecond', ...)``; PostgreSQL's and Trino's ``extract(epoch ...)``/``to_unixtime`` keep
    the fraction, scaled to microseconds in the engine.
    """
    import ibis.expr.datatypes as dt

    instant = dt.Timestamp(timezone="UTC")
    if engine.name in ("spark", "bigquery"):
        return _builtin("unix_micros", (instant,), dt.int64)(column)
    if engine.name == "duckdb":
        return _builtin("epoch_us", (instant,), dt.int64)(column)
    if engine.name == "snowflake":
        return _builtin("date_part", (dt.string, instant), dt.int64)("epoch_microsecond", column)
    return (column.epoch_seconds() * 1_000_000).round().cast("int64")


def epoch_seconds(column: ir.TimestampColumn, engine: Engine) -> ir.FloatingColumn:
    """Seconds since 1970-01-01 UTC with microsecond precision on every engine (see :func:`epoch_micros`)."""
    return epoch_micros(column, engine).cast("float64") / 1e6


def hours_between(start: ir.TimestampColumn, end: ir.TimestampColumn, engine: Engine) -> ir.FloatingColumn:
    """``end - start`` in hours, computed in the engine: an exact integer difference of microseconds, divided once,
    so every engine returns the same double."""
    return (epoch_micros(end, engine) - epoch_micros(start, engine)).cast("float64") / 3.6e9


# ---------------------------------------------------------------------------------------------------------------
# Provenance


@dataclass(frozen=True)
class EngineRun:
    """What one engine query did, for run.json: the SQL it ran, and what came back to this machine."""

    engine: str
    sql: str
    rows: int
    bytes: int

    def describe(self) -> dict[str, Any]:
        return asdict(self)


def compiled_sql(expr: ir.Expr, engine: Engine | None = None) -> str:
    """The SQL an expression runs as: on its own backend, or in ``engine``'s dialect (compile-only engines)."""
    import ibis

    return str(ibis.to_sql(expr, dialect=engine.dialect if engine is not None else None))


def describe_run(expr: ir.Expr, engine: Engine, result: pa.Table) -> EngineRun:
    """Describe a query that has run: engine, SQL (via ``ibis.to_sql``), and rows and bytes of the Arrow result."""
    return EngineRun(engine=engine.name, sql=compiled_sql(expr), rows=int(result.num_rows), bytes=int(result.nbytes))


def fetch_arrow(expr: ir.Table, engine: Engine) -> tuple[pa.Table, EngineRun]:
    """Run ``expr`` in its engine and bring the result back as Arrow, with the :class:`EngineRun` to record."""
    result = _spark_arrow(expr) if engine.name == "spark" else expr.to_pyarrow()
    return result, describe_run(expr, engine, result)


def _spark_arrow(expr: ir.Table) -> pa.Table:
    """Spark's result as Arrow without pandas in between.

    Ibis 12 collects Spark results through ``DataFrame.toPandas`` and converts that to Arrow, which holds the
    result about three times over; pyspark 4's ``DataFrame.toArrow`` (classic and Connect) collects Arrow batches
    directly. The SQL is the one Ibis would run; the schema is cast to the expression's as Ibis would.
    """
    import ibis
    from ibis.formats.pyarrow import PyArrowData

    table = expr.as_table()
    frame = table._find_backend().raw_sql(str(ibis.to_sql(table)))
    return PyArrowData.convert_table(frame.toArrow(), table.schema())
