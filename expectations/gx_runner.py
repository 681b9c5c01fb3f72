"""Run suites on data frames with a Great Expectations file context kept in the home folder.

The context lives in <home>/gx (suites and validation results as JSON), and
its Data Docs are rendered to <home>/reports/data-docs. Failing rows come
back named by their filing and cell (unexpected_index_column_names).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from parkstat.home import Home

DATASOURCE = "parkstat"
SITE = "local_site"
# The Data Docs index lists the newest results only: it reads every result it
# lists (7 ms each, measured) and is rebuilt twice a run, while a monthly run
# adds 14-20 results; 100 is about half a year of runs. Older pages stay in
# the site folder, their results in the store.
INDEX_RESULTS = 100


@dataclass
class Failure:
    suite: str
    rule: str
    row: dict  # the failing row's index columns and checked values
    check: str = ""  # which of the rule's checks (meta "check"; the rule when it has one)


def _quiet_environment() -> None:
    # No usage statistics leave the office's machines.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


class GxRunner:
    def __init__(self, home: Home):
        _quiet_environment()
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self.root = home.root / "gx"
        self.docs_dir = home.reports / "data-docs"
        self.context = gx.get_context(mode="file", project_root_dir=str(self.root))
        self.run_names: list[str] = []  # the GX runs of this runner's validations, in order
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._use_docs_dir()
        # Got, not added or updated: updating would drop the suites' assets kept
        # from earlier runs, and each one added again rewrites the context's YAML.
        try:
            self.datasource = self.context.data_sources.get(DATASOURCE)
        except KeyError:
            self.datasource = self.context.data_sources.add_pandas(DATASOURCE)

    def _use_docs_dir(self) -> None:
        sites = self.context.variables.data_docs_sites or {}
        config = {
            "class_name": "SiteBuilder",
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "validation_results_limit": INDEX_RESULTS,
            },
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(self.docs_dir),
            },
        }
        if sites.get(SITE) != config:
            if SITE in sites:
                self.context.delete_data_docs_site(SITE)
            self.context.add_data_docs_site(site_name=SITE, site_config=config)

    def validate(
        self,
        suite_name: str,
        expectations: list,
        frame: pd.DataFrame,
        index_columns: list[str],
        batch_name: str,
    ) -> list[Failure]:
        """Validate `frame` against the suite; the failing rows of each expectation.

        Failing rows are named in the results (and Data Docs) by `index_columns`,
        which must tell the frame's rows apart; each Failure carries the whole row.
        GX looks every named column of every failing row up one cell at a time
        (0.1 ms a cell): naming a few columns, not all, is what keeps thousands
        of warnings (a year of restated bases, W7) from costing seconds.
        """
        gx = self._gx
        from great_expectations.core.run_identifier import RunIdentifier

        suite = self.context.suites.add_or_update(
            gx.ExpectationSuite(name=suite_name, expectations=[e.copy() for e in expectations])
        )
        # One asset and one definition per suite, made once: every asset added
        # rewrites the context's YAML, so one per batch grew as the square of
        # a backfill's batches. The batch is told apart by the run's name.
        try:
            asset = self.datasource.get_asset(suite_name)
        except LookupError:
            asset = self.datasource.add_dataframe_asset(suite_name)
        try:
            batch_definition = asset.get_batch_definition("whole")
        except KeyError:
            batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        definition = self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite_name, data=batch_definition, suite=suite)
        )
        if batch_name not in self.run_names:
            self.run_names.append(batch_name)
        result = definition.run(
            run_id=RunIdentifier(run_name=batch_name),
            batch_parameters={"dataframe": frame},
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": index_columns,
            },
        )
        failures = []
        for outcome in result.results:
            if outcome.exception_info and outcome.exception_info.get("raised_exception"):
                raise RuntimeError(
                    f"suite {suite_name} could not run {outcome.expectation_config.meta['rule']}: "
                    f"{outcome.exception_info.get('exception_message')}"
                )
            if outcome.success:
                continue
            meta = outcome.expectation_config.meta
            keys = [
                {c: row[c] for c in index_columns}
                for row in outcome.result.get("unexpected_index_list") or []
            ]
            for row in _whole_rows(frame, index_columns, keys):
                failures.append(
                    Failure(suite_name, meta["rule"], row, meta.get("check", meta["rule"]))
                )
        return failures

    def build_docs(self, run_names: Iterable[str]) -> Path:
        """Render the results of these GX runs, their suites and the index into the Data Docs.

        Only these runs are rendered: the pages of earlier runs are already
        in the site, and rendering them all again grew with every month of
        history.
        """
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
        )

        names = set(run_names)
        results = [
            key
            for key in self.context.validation_results_store.list_keys()
            if key.run_id.run_name in names
        ]
        suites = [
            ExpectationSuiteIdentifier(name=name)
            for name in {key.expectation_suite_identifier.name for key in results}
        ]
        index = self.docs_dir / "index.html"
        if results:
            self.context.build_data_docs(site_names=[SITE], resource_identifiers=results + suites)
        elif not index.exists():  # nothing validated yet: an empty site, so the link works
            self.context.build_data_docs(site_names=[SITE])
        return index


def _whole_rows(frame: pd.DataFrame, index_columns: list[str], keys: list[dict]) -> list[dict]:
    """The frame's rows named by `keys` (values of `index_columns`), whole, in their order."""
    if not keys:
        return []
    if set(index_columns) == set(frame.columns):
        return keys
    named = pd.DataFrame(keys, columns=index_columns).astype(frame.dtypes[index_columns].to_dict())
    rows = named.merge(frame, on=index_columns, how="left").to_dict("records")
    return [{k: None if _missing(v) else v for k, v in row.items()} for row in rows]


def _missing(value) -> bool:
    """NULL as a frame holds it: None, NaN, NaT or pandas' NA (Arrow-backed columns)."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and value != value)
    )


def render_docs(home: Home, run_names: Iterable[str]) -> Path:
    """The Data Docs of these GX runs, rendered by a context of their own (the flow
    renders the filings' docs in a thread while dbt builds)."""
    return GxRunner(home).build_docs(run_names)
