"""Warehouse sources: an input table that comes from a SQL query instead of a file.

In ``team.yml`` any input file key (``events``, ``staffing``, ``responses``, ``series``) may instead be::

    events:
      source:
        url: postgresql+psycopg://analyst:${WAREHOUSE_PASSWORD}@warehouse.internal:5432/support
        query: select case_id, activity, happened_at from support.ticket_events where ...

Credentials never live in the config: a password written into the URL is refused; ``${NAME}`` is filled from the
environment (libpq's own variables such as PGPASSWORD work too). Before validation the query result is written to
a Parquet snapshot in a temporary folder, so the same loaders and the same validation apply as for files, every
analysis of the run reads the same rows, and run.json records the snapshot's checksum next to the query. The
snapshot is deleted when the command ends. SQLAlchemy is used so any database with a driver works; the tests run
against a real PostgreSQL server.

An input may also be written as an engine input (``events: {url, table | query | path}``, see ``engines``): DuckDB,
PostgreSQL or Spark (``spark://local[2]``, ``sc://host:port``) read it through Ibis. The baseline's ``events`` are
reduced inside the engine and only per-ticket rows come back (``baseline.load.reduce_in_engine``); any other input
is snapshotted the same way as a SQL source. Either way the engine and the SQL it ran are recorded.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .errors import InputError

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CHUNK_ROWS = 200_000


class SqlSource(BaseModel):
    """``source: {url, query}``: read a table from a database instead of a file."""

    model_config = ConfigDict(extra="forbid")
    url: str = Field(description="SQLAlchemy URL; ${NAME} is read from the environment; no password in the file.")
    query: str = Field(description="SELECT statement returning the table in the same shape as the file would have.")


@dataclass
class PendingSource:
    """A data key of a section whose value is a SQL source or an engine input, to be snapshotted before validation.

    ``source`` is set for ``{source: {url, query}}``; ``spec`` (an ``engines.InputSpec``) for
    ``{url, table|query|path}``,
    whose relative paths are read from ``base_dir`` (the config's folder).
    """

    section: str
    key: str
    source: SqlSource | None
    spec: Any = None
    base_dir: Path | None = None


def extract_sources(raw: dict[str, Any], path_fields: dict[str, tuple[str, ...]], config_path) -> list[PendingSource]:
    """Find ``{source: {...}}`` values under the sections' data keys, check them, and remove them from ``raw``.

    Each is replaced by a stand-in path so the section validates; ``materialize`` later points it at the snapshot.
    """
    pending = []
    for section, keys in path_fields.items():
        block = raw.get(section)
        if not isinstance(block, dict):
            continue
        for key in keys:
            value = block.get(key)
            if isinstance(value, dict) and "url" in value and "source" not in value:
                from .engines import parse_input

                spec = parse_input(value, where=f"{section}.{key}", config_file=config_path)
                pending.append(PendingSource(section, key, None, spec, Path(config_path).resolve().parent))
                block[key] = f"<{spec.engine.name}:{section}.{key}>"
                continue
            if not (isinstance(value, dict) and "source" in value):
                continue
            if set(value) != {"source"}:
                extra = sorted(set(value) - {"source"})[0]
                raise InputError(
                    f"unknown key '{section}.{key}.{extra}'",
                    file=config_path,
                    fix="a warehouse input is written as {source: {url: ..., query: ...}}",
                )
            try:
                source = SqlSource.model_validate(value["source"])
            except Exception as exc:  # pydantic ValidationError
                first = exc.errors()[0] if hasattr(exc, "errors") else {"loc": (), "msg": str(exc)}
                where = ".".join(str(p) for p in first["loc"])
                raise InputError(
                    f"'{section}.{key}.source{'.' + where if where else ''}': {first['msg']}",
                    file=config_path,
                    fix="write {source: {url: ..., query: ...}}",
                ) from None
            check_no_literal_password(source.url, f"{section}.{key}.source.url", config_path)
            pending.append(PendingSource(section, key, source))
            block[key] = f"<sql:{section}.{key}>"
    return pending


def check_no_literal_password(url: str, where: str, config_path) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(_ENV_REFERENCE.sub("ENV", url))
    except ArgumentError:
        raise InputError(
            f"'{where}' is not a database URL",
            file=config_path,
            fix="write e.g. postgresql+psycopg://user:${PASSWORD_VARIABLE}@host:5432/database",
        ) from None
    password_text = url.split("://", 1)[-1].split("@", 1)[0].partition(":")[2] if "@" in url else ""
    if parsed.password is not None and not _ENV_REFERENCE.fullmatch(password_text):
        raise InputError(
            f"'{where}' contains a password: credentials must not be written in the config",
            file=config_path,
            fix="write ${SOME_VARIABLE} in its place and set that environment variable (or use PGPASSWORD)",
        )


def expand_environment(url: str, where: str) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise InputError(
                f"'{where}' uses ${{{name}}} but that environment variable is not set",
                fix=f"export {name}=... before running playbook",
            )
        return os.environ[name]

    return _ENV_REFERENCE.sub(replace, url)


def redacted(url: str) -> str:
    """The URL as it may appear in run.json: any password (even from the environment) hidden."""
    from sqlalchemy.engine import make_url

    return make_url(_ENV_REFERENCE.sub("ENV", url)).render_as_string(hide_password=True)


class Snapshots:
    """Temporary Parquet snapshots of the config's SQL sources; a context manager that deletes them."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.records: list[dict[str, Any]] = []

    def __enter__(self) -> Snapshots:
        return self

    def __exit__(self, *exc) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def materialize(self, config, pending: list[PendingSource]) -> None:
        """Run each query, write its rows to Parquet, and point the config's key at the file."""
        if not pending:
            return
        self.folder = Path(tempfile.mkdtemp(prefix="playbook-sql-"))
        for item in pending:
            where = f"{item.section}.{item.key}"
            target = self.folder / f"{item.section}-{item.key}.parquet"
            if item.spec is not None and (item.section, item.key) == ("baseline", "events"):
                target = self.folder / "baseline-events.tickets.arrow"  # load.ENGINE_TICKETS_SUFFIX
                record = _reduce_in_engine(config, item, target, where)
            elif item.spec is not None:
                record = _engine_input_to_parquet(item, target, where)
            else:
                rows = _query_to_parquet(item.source, target, where)
                record = {"source": "sql", "url": redacted(item.source.url), "query": item.source.query, "rows": rows}
            setattr(getattr(config, item.section), item.key, str(target))
            self.records.append({"key": where, **record, "snapshot": str(target)})


def _reduce_in_engine(config, item: PendingSource, target: Path, where: str) -> dict[str, Any]:
    """The baseline's events stay in the engine: only the per-ticket rows come back (``baseline.load``)."""
    from .baseline.load import reduce_in_engine
    from .engines import open_input

    opened = open_input(item.spec, where=where, base_dir=item.base_dir)
    url = item.spec.describe().get("url", "")
    try:
        record = reduce_in_engine(config.baseline, config.timezone, opened, target, where, url)
    except InputError:
        raise
    except Exception as exc:
        reason = _first_line(exc)
        raise InputError(
            f"'{where}': the baseline's reduction failed in {opened.engine.label}: {reason}", fix=CHECK_ENGINE
        ) from None
    return {"source": "engine", "url": url, **record, "query": "\n;\n".join(record["queries"])}


#: the fix for an engine's own error: the playbook cannot see more than the message
CHECK_ENGINE = "check the table, query or path in the engine's own client"


def _first_line(exc: Exception) -> str:
    """An error's first line, or its type when it has no message: engine errors run to pages of plan and stack."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _engine_input_to_parquet(item: PendingSource, target: Path, where: str) -> dict[str, Any]:
    """Read an engine input through Ibis in batches into a Parquet file; describe what ran (engine, SQL, rows)."""
    import pyarrow.parquet as pq

    from .engines import compiled_sql, open_input

    opened = open_input(item.spec, where=where, base_dir=item.base_dir)
    rows = size = 0
    writer = None
    try:
        for batch in opened.table.to_pyarrow_batches(chunk_size=_CHUNK_ROWS):
            if writer is None:
                writer = pq.ParquetWriter(target, batch.schema, compression="zstd")
            writer.write_batch(batch)
            rows, size = rows + batch.num_rows, size + batch.nbytes
    except Exception as exc:
        raise InputError(
            f"'{where}': reading from {opened.engine.label} failed: {_first_line(exc)}", fix=CHECK_ENGINE
        ) from None
    finally:
        if writer is not None:
            writer.close()
    if rows == 0:
        raise InputError(
            f"'{where}': {opened.engine.label} returned no rows",
            fix="check the table, query or path (and any filter in the query)",
        )
    shown = item.spec.describe()
    return {
        "source": "engine",
        "engine": opened.engine.name,
        "url": shown.get("url", ""),
        "query": compiled_sql(opened.table),
        "rows": rows,
        "bytes": size,
    }


def _query_to_parquet(source: SqlSource, target: Path, where: str) -> int:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    import sqlalchemy
    from sqlalchemy.exc import DBAPIError, NoSuchModuleError, SQLAlchemyError

    url = expand_environment(source.url, f"{where}.source.url")
    try:
        engine = sqlalchemy.create_engine(url)
    except NoSuchModuleError as exc:
        raise InputError(
            f"'{where}.source.url': no database driver for this URL ({exc})",
            fix="use a postgresql+psycopg:// URL, or install the database's SQLAlchemy driver",
        ) from None
    writer = None
    rows = 0
    try:
        with engine.connect() as connection:
            for chunk in pd.read_sql_query(sqlalchemy.text(source.query), connection, chunksize=_CHUNK_ROWS):
                table = pa.Table.from_pandas(chunk, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(target, table.schema, compression="zstd")
                writer.write_table(table.cast(writer.schema))
                rows += len(chunk)
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        kind = (
            "cannot connect to the database"
            if exc.connection_invalidated or "connect" in reason.lower()
            else "the query failed"
        )
        raise InputError(
            f"'{where}.source': {kind}: {reason}",
            fix="check the URL, that the server is reachable, the credentials in the environment, "
            "and run the query in your SQL client",
        ) from None
    except SQLAlchemyError as exc:
        raise InputError(f"'{where}.source': {type(exc).__name__}: {exc}", fix="check the URL and query") from None
    finally:
        if writer is not None:
            writer.close()
        engine.dispose()
    if rows == 0:
        raise InputError(
            f"'{where}.source': the query returned no rows",
            fix="check the query's filters (date range, team) in your SQL client",
        )
    return rows
