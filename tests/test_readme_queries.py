"""The README's analyst queries, run on the built-in sample's published file: every
```sql block followed by an output block must print exactly that output.

The sample is the one `parkstat sample` lands (parkstat/cli.py land_sample), taken
through the month's stages and published. After a change to the marts or the sample,
`PARKSTAT_README_UPDATE=1 pytest tests/test_readme_queries.py` writes the new outputs
into the README; read the diff before committing it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pytest
from conftest import publish_month

from parkstat.cli import land_sample
from parkstat.home import Home

README = Path(__file__).resolve().parents[1] / "README.md"
# a query, then (optionally) the block that shows its output
BLOCK = re.compile(r"```sql\n(?P<sql>.*?)```\n(?:```\n(?P<shown>.*?)```\n)?", re.S)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    home = Home(tmp_path_factory.mktemp("sample") / "home").ensure()
    land_sample(home)
    publish_month(home, "sample")
    con = duckdb.connect(str(home.published_db), read_only=True)
    yield con
    con.close()


def test_the_readme_queries_print_what_the_readme_shows(sample):
    text = README.read_text(encoding="utf-8")
    blocks = list(BLOCK.finditer(text))
    assert len(blocks) >= 5
    printed = [str(sample.sql(b["sql"])) for b in blocks]
    if os.environ.get("PARKSTAT_README_UPDATE"):
        out, at = [], 0
        for block, shown in zip(blocks, printed, strict=True):
            out += [text[at : block.start()], f"```sql\n{block['sql']}```\n```\n{shown}```\n"]
            at = block.end()
        README.write_text("".join(out) + text[at:], encoding="utf-8")
        text = README.read_text(encoding="utf-8")
        blocks = list(BLOCK.finditer(text))
    for block, shown in zip(blocks, printed, strict=True):
        assert block["shown"] is not None, f"no output shown for:\n{block['sql']}"
        assert block["shown"] == shown, f"the README shows another output for:\n{block['sql']}"
