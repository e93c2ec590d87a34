"""The one tar writer: a byte-for-byte reproducible tar.gz (sorted entries, mtime 0, owner 0:0, fixed
modes, gzip mtime 0), used for bundle downloads and AWX project archives."""
from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import PurePosixPath

FILE_MODE, EXEC_MODE, DIR_MODE = 0o644, 0o755, 0o755


def deterministic_tar_gz(files: dict[str, tuple[bytes, int]], prefix: str = "") -> bytes:
    """``files``: relative path -> (content, mode). ``prefix``: a top directory for every entry."""
    entries = {f"{prefix}/{rel}" if prefix else rel: value for rel, value in files.items()}
    for rel in entries:
        p = PurePosixPath(rel)
        if not rel or p.is_absolute() or ".." in p.parts:
            raise ValueError(f"unsafe path in archive: {rel!r}")
    dirs = sorted({str(p) for rel in entries for p in PurePosixPath(rel).parents if str(p) != "."})
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(dirs + list(entries)):
            info = tarfile.TarInfo(path)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            if path in entries:
                data, mode = entries[path]
                info.size, info.mode, info.type = len(data), mode, tarfile.REGTYPE
                tar.addfile(info, io.BytesIO(data))
            else:
                info.mode, info.type = DIR_MODE, tarfile.DIRTYPE
                tar.addfile(info)
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()
