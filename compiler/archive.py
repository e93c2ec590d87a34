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


def read_tar_gz(data: bytes, max_files: int = 500, max_bytes: int = 8 * 1024 * 1024) -> dict[str, bytes]:
    """Regular files of a tar.gz by path; refuses links, devices, absolute or '..' paths and oversize input."""
    files: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in tar:
                p = PurePosixPath(member.name)
                if p.is_absolute() or ".." in p.parts:
                    raise ValueError(f"unsafe path in archive: {member.name!r}")
                if member.isdir():
                    continue
                if not member.isreg():
                    raise ValueError(f"{member.name}: only regular files and directories are allowed")
                total += member.size
                if len(files) >= max_files or total > max_bytes:
                    raise ValueError(f"archive too large (more than {max_files} files or {max_bytes} bytes)")
                fh = tar.extractfile(member)
                files[p.as_posix()] = fh.read() if fh is not None else b""
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ValueError(f"not a readable tar.gz archive ({type(exc).__name__})") from None
    return files
