"""Reading a team's input tables with clear errors, and checksums of inputs.

Every reader raises ``InputError`` naming the file, the column and the first bad row, never a parser traceback.
Large event logs are read by the baseline's DuckDB loader; the small tables (staffing, survey, series) come here.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .errors import InputError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
_SNIFF_BYTES = 64 * 1024


def is_gzipped_csv(path: Path) -> bool:
    """A CSV compressed with gzip (``events.csv.gz``): read as it is, exports are often shipped so."""
    return [s.lower() for s in path.suffixes[-2:]] in ([".csv", ".gz"], [".txt", ".gz"])


def open_text(path: Path, errors: str = "strict"):
    """The file as UTF-8 text (a byte-order mark dropped), through gzip for ``.csv.gz``."""
    if is_gzipped_csv(path):
        return gzip.open(path, "rt", encoding="utf-8-sig", errors=errors, newline="")
    return path.open("r", encoding="utf-8-sig", errors=errors, newline="")


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_readable(path: str | Path) -> Path:
    """The file exists, is not empty, and (for CSV) is UTF-8 text with a recognisable delimiter."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", file=path, fix="check the path in your config (relative to the config file)")
    if path.is_dir():
        raise InputError("this is a folder, not a file", file=path, fix="point the config at the file inside it")
    suffix = path.suffix.lower()
    if is_gzipped_csv(path):
        return path
    if suffix not in CSV_SUFFIXES | PARQUET_SUFFIXES:
        raise InputError(
            f"unsupported file type '{suffix or '(none)'}'",
            file=path,
            fix="export the data as .csv, .csv.gz or .parquet",
        )
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=path, fix="export the data again; the file has no header row")
    if suffix in CSV_SUFFIXES:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
        if _looks_utf16(head):
            raise InputError(
                "the file is UTF-16 text (Excel's 'Unicode Text' export), not UTF-8",
                file=path,
                row=1,
                fix="save it as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8)",
            )
        if b"\x00" in head:
            raise InputError(
                "the file is binary, not CSV text (a spreadsheet or compressed file renamed .csv?)",
                file=path,
                fix="open it in your spreadsheet tool and save as 'CSV UTF-8'",
            )
        try:
            # A multi-byte character may be cut at the end of the sniffed block: decode leniently there only.
            head.decode("utf-8-sig") if len(head) < _SNIFF_BYTES else head[:-4].decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = head[: exc.start].count(b"\n") + 1
            raise InputError(
                "the file is not UTF-8 text (perhaps Latin-1 or UTF-16)",
                file=path,
                row=line,
                fix="save it as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8)",
            ) from None
        if len(head) == _SNIFF_BYTES and b"\n" not in head and b"\r" not in head:
            raise InputError(
                f"the first {_SNIFF_BYTES // 1024} KB of the file hold no line break, so it is not a table with a "
                "header row (a mangled or single-line export?)",
                file=path,
                row=1,
                fix="export the data again as CSV with one row per line",
            )
    return path


def _looks_utf16(head: bytes) -> bool:
    """A UTF-16 byte-order mark, or text whose every other byte is zero (UTF-16 without a mark)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    sample = head[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return (odd.count(0) > 0.9 * len(odd) and even.count(0) == 0) or (
        even.count(0) > 0.9 * len(even) and odd.count(0) == 0
    )


def _first_line_fields(path: Path) -> list[str]:
    """The header's fields as the csv module reads them (the file is known to be UTF-8 text)."""
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        line = handle.readline(_SNIFF_BYTES)
    fields = next(csv.reader([line]), [])
    return [name.strip() for name in fields]


def _column_listing(columns: Iterable[object], limit: int = 15, width: int = 40) -> str:
    """The columns of a file for an error message: at most ``limit`` names, each cut to ``width`` characters."""
    names = [str(c) if len(str(c)) <= width else str(c)[: width - 3] + "..." for c in columns]
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def check_delimiter(path: Path, header: list[str], expected: Iterable[str]) -> None:
    if len(header) == 1:
        for name, sep in (("semicolon", ";"), ("tab", "\t"), ("pipe", "|")):
            if sep in header[0]:
                raise InputError(
                    f"the header has one column that contains {name}s: the file is {name}-separated, "
                    "and only comma-separated CSV is read",
                    file=path,
                    row=1,
                    fix="export with commas as the separator (or save as Parquet)",
                )


def read_table(path: str | Path, *, required: Iterable[str] = (), what: str = "table") -> pd.DataFrame:
    """Read a CSV (UTF-8, comma-separated) or Parquet file; check the required columns are present.

    Values are read as strings for CSV (``dtype=str``) so each analysis parses and validates its own columns
    and can name the first bad row.
    """
    path = check_readable(path)
    required = list(required)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for corrupt files
            raise InputError(
                f"cannot read this Parquet file ({type(exc).__name__})", file=path, fix="export it again"
            ) from None
    else:
        # before parsing: a semicolon-separated file with commas in its text would otherwise fail as "ragged rows"
        check_delimiter(path, _first_line_fields(path), required)
        try:
            # Blank lines are kept (as all-empty rows, dropped below) so the index stays line number - 2 and
            # first_bad_row names the spreadsheet row a person sees.
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                encoding="utf-8-sig",
                skipinitialspace=True,
                skip_blank_lines=False,
            )
        except pd.errors.EmptyDataError:
            raise InputError("the file has no header row", file=path, fix="export it again with a header") from None
        except pd.errors.ParserError as exc:
            row = _parser_error_row(str(exc))
            raise InputError(
                "rows have different numbers of fields (an unquoted comma inside a value?)",
                file=path,
                row=row,
                fix="quote values that contain commas, or export again from the source system",
            ) from None
        except UnicodeDecodeError:
            raise InputError("the file is not UTF-8 text", file=path, fix="save it as 'CSV UTF-8'") from None
        frame.columns = [str(c).strip() for c in frame.columns]
        check_delimiter(path, list(frame.columns), required)
        frame = frame.loc[frame.notna().any(axis=1)]
    return checked_frame(frame, path, required=required, what=what)


def checked_frame(
    frame: pd.DataFrame, source: str | Path, *, required: Iterable[str] = (), what: str = "table"
) -> pd.DataFrame:
    """The checks of a table once read (from a file, or a data frame given to the Python API, ``source`` naming
    it in messages): the required columns are present, there are rows, no header is repeated."""
    path, required = source, list(required)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"the {what} has no column '{missing[0]}'"
            + (f" (nor {', '.join(missing[1:])})" if missing[1:] else "")
            + f"; its columns are: {_column_listing(frame.columns)}",
            file=path,
            column=missing[0],
            fix="rename the column in the file, or map your header to ours in the config",
        )
    if frame.empty:
        raise InputError(f"the {what} has a header but no data rows", file=path, row=2, fix="export the data again")
    duplicated = [c for c in frame.columns if list(frame.columns).count(c) > 1]
    if duplicated:
        raise InputError("two columns have the same header", file=path, column=duplicated[0], fix="rename one")
    return frame


def _parser_error_row(message: str) -> int | None:
    # pandas: "Error tokenizing data. C error: Expected 3 fields in line 7, saw 4"
    import re

    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def first_bad_row(mask: pd.Series) -> int | None:
    """Spreadsheet row number (header = row 1) of the first True in a boolean mask over a frame read by
    ``read_table``: its integer index is the data line's position in the file (blank lines included), so filtered
    frames still name the right row."""
    positions = mask.to_numpy().nonzero()[0]
    if not len(positions):
        return None
    label = mask.index[positions[0]]
    return int(label) + 2 if pd.api.types.is_integer(label) else int(positions[0]) + 2


def write_csv_lines(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """Write a small CSV (templates) with the standard library, so quoting is exact."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
