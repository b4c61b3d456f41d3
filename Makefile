# One task runner for people and CI. `make run` installs and crawls; `make test` installs and tests.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: install install-test system-deps run test bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(PY)
	$(PIP) install --quiet -e .

system-deps:
	bash scripts/install-system-deps.sh

install-test: install system-deps
	$(PIP) install --quiet -e '.[test]'

run: install
	$(VENV)/bin/newsmon crawl

test: install-test
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# Benchmarks are run by hand; their figures are recorded in BENCHMARKS.md.
bench: install
	$(PY) benchmarks/crawl_bench.py
	$(PY) benchmarks/translate_bench.py
	$(PY) benchmarks/langid_eval.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
