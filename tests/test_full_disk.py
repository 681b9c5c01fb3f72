"""A full disk, for real: the state folder on a small file system of its own (a size-limited
tmpfs, mounted by the test as root). The run stops with one line, every file not yet safely
taken stays in landing/, the published file is untouched, and the next run with space
succeeds."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys

import pytest
from conftest import TODAY, land_generated, publish_month

from parkstat.home import Home
from sources.generate import generate

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.geteuid() != 0 or not shutil.which("mount"),
        reason="mounting a small file system of its own needs root",
    ),
]
# Room for a whole run once the filler is gone: the working file, the candidate (raw layer
# and marts), the published file and its export beside it, the marts' key indexes
# (a fixed 256 kB block each) in both. A run needs about three published files of space.
SIZE = 256 * 2**20


@pytest.fixture(scope="module")
def published_home(tmp_path_factory):
    """A state folder with one publication; and the next month's files to take."""
    tmp = tmp_path_factory.mktemp("full-disk")
    home = Home(tmp / "home")
    land_generated(home, tmp / "a", dt.date(2025, 2, 1), dt.date(2025, 3, 1), seed=5)
    publish_month(home, "first")
    later = generate(
        tmp / "b", dt.date(2025, 4, 1), dt.date(2025, 5, 1), parks=3, seed=6, today=TODAY
    )
    return home, [f.path for f in later.files]


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mount)])
    if done.returncode:
        pytest.skip("this machine does not allow mounting a tmpfs")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def _free(path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def _fill(mount, leave: int):
    """A file taking all the space but `leave` bytes."""
    filler = mount / "filler"
    with open(filler, "wb") as f:
        f.truncate(0)
        size = max(_free(mount) - leave, 0)
        chunk = b"\1" * (1 << 20)
        while size > 0:
            f.write(chunk[: min(size, len(chunk))])
            size -= len(chunk)
    return filler


def _run(home: Home, prefect_home) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(prefect_home)  # Prefect's own state is not what is tested here
    return subprocess.run(
        [sys.executable, "-m", "parkstat.cli", "run", "--home", str(home.root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Where the space runs out: (space left when the run starts, a large file landed first, the
# words the stopping line says, whether the landed files were taken before it stopped).
CASES = {
    "raw layer": (24 * 1024, 0, "running the stage 'intake'", False),
    "archive": (2**20, 3 * 2**20, "archiving big export.csv", False),
    "validation": (2 * 2**20, 0, "running the stage 'validate filings'", True),
    "candidate": (4 * 2**20, 0, "the candidate", True),  # the working file is over 4.5 MB
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_full_disk_stops_the_run_and_the_next_run_with_space_succeeds(
    case, published_home, small_disk, tmp_path
):
    leave, big, words, taken = CASES[case]
    source, later = published_home
    home = Home(small_disk / "home")
    shutil.copytree(source.root, home.root)
    if big:
        (home.landing / "big export.csv").write_bytes(b"x,y\n" * (big // 4))
        os.utime(home.landing / "big export.csv", (0, 0))  # it arrived first
    for path in later:
        shutil.copy2(path, home.landing / path.name)
    waiting = sorted(p.name for p in home.landing.iterdir())
    published = _digest(home.published_db)
    filler = _fill(small_disk, leave)

    full = _run(home, tmp_path / "prefect")
    assert full.returncode == 1, full.stdout + full.stderr
    [said] = [line for line in full.stderr.splitlines() if line.startswith("not published — ")] or [
        full.stderr
    ]
    assert said.startswith("not published — the state folder could not be written while "), said
    assert words in said and "No space left on device" in said and "run again" in said, said
    assert _digest(home.published_db) == published
    left = sorted(p.name for p in home.landing.iterdir())
    assert left == ([] if taken else waiting)
    assert not list(home.root.rglob("*.partial"))
    assert not home.candidate_db.exists()

    filler.unlink()
    again = _run(home, tmp_path / "prefect")
    assert again.returncode in (0, 3), again.stdout + again.stderr
    assert not list(home.landing.iterdir())
    assert _digest(home.published_db) != published
    assert not list(home.root.rglob("*.partial"))
