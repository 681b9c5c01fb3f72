"""Shared fixtures: a generated fault corpus in both formats, taken in once per session."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass

import pytest

from expectations.mart_suites import validate_marts
from expectations.validate_filings import validate_filings
from parkstat.home import Home
from parkstat.warehouse import build_candidate, publication_row, publish, record_publication
from sources.generate import GenerateResult, generate
from sources.intake import IntakeReport, run_intake

TODAY = dt.date(2025, 8, 20)
START, END = dt.date(2024, 2, 1), dt.date(2025, 7, 1)
INTAKE_RULES = {"B1", "B2", "B3", "B4"}


@dataclass
class Ingested:
    corpus: GenerateResult
    home: Home
    report: IntakeReport


def land(corpus: GenerateResult, home: Home) -> None:
    """Copy the corpus' filings (not its manifest) into landing/, keeping their times."""
    home.ensure()
    for f in corpus.files:
        shutil.copy2(f.path, home.landing / f.path.name)


def land_generated(
    home: Home, out, start: dt.date, end: dt.date, seed: int, parks: int = 3
) -> GenerateResult:
    """Generate a small corpus into `out` and land it, keeping the files' times."""
    corpus = generate(out, start, end, parks=parks, seed=seed, today=TODAY)
    land(corpus, home)
    return corpus


def build_without(corpus: GenerateResult, home: Home, dropped: tuple, today: dt.date):
    """Land `corpus` but the files of one park and period (`dropped`), take it in, decide it
    and build the marts. Returns the build and the truth the marts must show: each park
    and period's current filing (the highest revision) as the generator wrote it."""
    land(corpus, home)
    for f in corpus.files:
        if any((g.park_code, g.period) == dropped for g in f.filings):
            (home.landing / f.path.name).unlink()
    run_intake(home, today=today)
    validate_filings(home, "truth", waivers=[])
    built = build_candidate(home)
    current = {}
    for f in corpus.files:
        for filing in f.filings:
            key = (filing.park_code, filing.period)
            if key != dropped and (key not in current or filing.revision > current[key].revision):
                current[key] = filing
    return built, current


def intake_expect(rules: list[str]) -> str:
    """What intake alone must do with a filing: reject it for B1-B4, else accept it."""
    return "reject" if INTAKE_RULES & set(rules) else "accept"


def _ingest(tmp_path_factory, name: str, fmt: str, seed: int) -> Ingested:
    out = tmp_path_factory.mktemp(f"{name}-corpus")
    corpus = generate(out, START, END, parks=8, seed=seed, fmt=fmt, faults=0.12, today=TODAY)
    home = Home(tmp_path_factory.mktemp(f"{name}-home"))
    land(corpus, home)
    return Ingested(corpus, home, run_intake(home, today=TODAY))


@pytest.fixture(scope="session")
def xlsx_ingested(tmp_path_factory) -> Ingested:
    return _ingest(tmp_path_factory, "xlsx", "xlsx", seed=101)


@pytest.fixture(scope="session")
def csv_ingested(tmp_path_factory) -> Ingested:
    return _ingest(tmp_path_factory, "csv", "csv", seed=202)


@pytest.fixture(params=["xlsx", "csv"])
def ingested(request) -> Ingested:
    return request.getfixturevalue(f"{request.param}_ingested")


@pytest.fixture
def home(tmp_path) -> Home:
    return Home(tmp_path / "home").ensure()


def _validated(ingested: Ingested, tmp_path_factory, name: str):
    """Validate a copy of the ingested home: intake's own tests keep seeing intake alone."""
    home = Home(tmp_path_factory.mktemp(f"{name}-validated") / "home")
    shutil.copytree(ingested.home.root, home.root)
    copy = Ingested(ingested.corpus, home, ingested.report)
    return copy, validate_filings(home, "corpus", waivers=[])


@pytest.fixture(scope="session")
def xlsx_validated(xlsx_ingested, tmp_path_factory):
    return _validated(xlsx_ingested, tmp_path_factory, "xlsx")


@pytest.fixture(scope="session")
def csv_validated(csv_ingested, tmp_path_factory):
    return _validated(csv_ingested, tmp_path_factory, "csv")


@pytest.fixture(params=["xlsx", "csv"])
def validated(request):
    return request.getfixturevalue(f"{request.param}_validated")


def publish_month(home: Home, run_id: str) -> None:
    """The monthly flow's stages, called as plain functions."""
    intake = run_intake(home, today=TODAY)
    validation = validate_filings(home, run_id, waivers=[])
    built = build_candidate(home)
    audit = validate_marts(home, built.candidate, run_id)
    assert audit.passed, audit.summary()
    row = publication_row(
        run_id,
        built.candidate,
        len(intake.files),
        intake.filings_rejected,
        validation.verdicts,
        len(audit.suites),
        home.published_db,
    )
    record_publication(home, built.candidate, row)
    publish(home, built.candidate)


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory) -> Home:
    """A small generated sample (3 parks, 2025年1-2月 to 1-4月) published once: the file
    BI users open. Tests only read it."""
    tmp = tmp_path_factory.mktemp("published-sample")
    home = Home(tmp / "home")
    land_generated(home, tmp / "generated", dt.date(2025, 2, 1), dt.date(2025, 4, 1), seed=61)
    publish_month(home, "sample")
    return home
