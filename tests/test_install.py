"""The environment `make setup` installs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    "module", ["prefect.server.api.server", "great_expectations", "dbt.cli.main"]
)
def test_the_heavy_packages_are_installed_with_their_bytecode(module):
    # Without it, where PYTHONDONTWRITEBYTECODE is set, every run compiles
    # Prefect, GX and dbt from source again: 10-15 s of CPU a month's run.
    origin = importlib.util.find_spec(module).origin
    assert Path(importlib.util.cache_from_source(origin)).exists(), (
        f"{module} was installed without bytecode: install with `make setup`"
    )
