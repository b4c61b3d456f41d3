# One task runner for people and CI. `make run` installs and crawls; `make test` installs and tests.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: install install-test system-deps run test bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamps: `make run` installs once (again only when pyproject.toml changes), not on every call.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

install: $(VENV)/.installed

system-deps:
	bash scripts/install-system-deps.sh

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e '.[test]'
	touch $@

install-test: $(VENV)/.installed-test system-deps

# The models for the bundled sources' languages, once (the stamp is written when all are installed;
# until then each run retries what is missing, says why in one line per language, and crawls anyway).
# `newsmon crawl` exits 1 when a source failed (for cron); `make run` still succeeds then,
# and fails only on a usage or configuration error (2) or a crawl already running (3).
MODELS_STAMP ?= $(VENV)/.models-installed
run: install
	@test -f $(MODELS_STAMP) || { $(VENV)/bin/newsmon models setup && touch $(MODELS_STAMP); } || true
	$(VENV)/bin/newsmon crawl || test $$? -eq 1

# Two test files at a time (pytest-xdist; a file's tests stay together and in order, so its module
# fixtures are built once). PYTEST_WORKERS=0 runs them in this process, one after another.
PYTEST_WORKERS ?= 2
test: install-test
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Benchmarks are run by hand; their figures are recorded in BENCHMARKS.md.
bench: install
	$(PY) benchmarks/crawl_bench.py
	$(PY) benchmarks/translate_bench.py
	$(PY) benchmarks/langid_eval.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
