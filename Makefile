# The two commands of the README, and the steps they share.
#   make sample   install, generate the built-in sample, run the month on it
#   make test       install, run the tests (the default run, under 15 minutes)
#   make old-client an old DuckDB client for tests/test_old_clients.py (test and test-slow
#                   build it first)
#   make test-slow  the slow suites: a real Prefect server's schedule, a run killed at each
#                   crash point (tests/test_crash_points.py), the quick benchmark
#   make bench      the full benchmark (about an hour; BENCHMARKS.md)
PYTHON ?= python3
VENV   := .venv
UV_VERSION := 0.13.8
HOME_DIR ?= parkstat-home
PYTEST_ARGS ?=

.PHONY: sample test test-slow bench lint setup lock browser old-client

# --compile-bytecode: uv leaves compiling to the first import, and where
# PYTHONDONTWRITEBYTECODE is set (it is on our 2-core machine) that first
# import never writes it: every run compiled Prefect, GX and dbt from source
# again, 10-15 s of CPU per run.
$(VENV)/.installed: requirements.lock pyproject.toml Makefile
	$(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	$(PYTHON) -m uv venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	$(PYTHON) -m uv pip sync --quiet --require-hashes --compile-bytecode \
		--python $(VENV)/bin/python requirements.lock
	$(PYTHON) -m uv pip install --quiet --no-deps --python $(VENV)/bin/python -e .
	touch $@

setup: $(VENV)/.installed

# The published file must open in the DuckDB that BI drivers ship (1.1 to 1.4):
# tests/test_old_clients.py reads it with DuckDB 1.1.3 from this venv, built once
# from a hashed lock (tests/clients/duckdb-1.1.in), never at test time. uv comes
# with the setup.
OLD_CLIENT := .venv-duckdb-1.1
$(OLD_CLIENT)/.installed: tests/clients/duckdb-1.1.lock | $(VENV)/.installed
	$(PYTHON) -m uv venv --quiet --allow-existing --python $(PYTHON) $(OLD_CLIENT)
	$(PYTHON) -m uv pip sync --quiet --require-hashes --python $(OLD_CLIENT)/bin/python \
		tests/clients/duckdb-1.1.lock
	touch $@

old-client: $(OLD_CLIENT)/.installed

sample: setup
	$(VENV)/bin/parkstat sample --home $(HOME_DIR)

# The stewards' report is checked in a real headless browser: Debian's Chromium.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
		else echo "chromium missing: the browser test is skipped (install chromium as root)"; fi; }

test: setup old-client browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

test-slow: setup old-client
	$(VENV)/bin/python -m pytest -m slow $(PYTEST_ARGS)

BENCH_WORK ?= bench-work
bench: setup
	$(VENV)/bin/parkstat bench --size full --work $(BENCH_WORK)

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

# Re-resolve the pins after changing pyproject.toml dependencies.
lock:
	$(PYTHON) -m uv pip compile --quiet pyproject.toml --extra dev --python-version 3.11 \
		--generate-hashes -o requirements.lock
	$(PYTHON) -m uv pip compile --quiet tests/clients/duckdb-1.1.in --python-version 3.11 \
		--generate-hashes -o tests/clients/duckdb-1.1.lock
