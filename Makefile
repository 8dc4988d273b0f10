# The course's two commands (see README.md):
#   make course   set up if needed, run every notebook headless in quick mode, print a summary
#   make test     set up if needed, run the whole test suite (unit, integration, nbval)
#   make site     the static course site from the notebooks' stored outputs, into $(BUILD)/site
# Only a supported Python (requires-python in pyproject.toml) and make are needed; everything
# else is installed into $(VENV) from requirements/lock.txt, the exact versions this course is tested with.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BUILD ?= build
LOCK := requirements/lock.txt
STAMP := $(VENV)/.serlib-installed
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
# One BLAS/OpenMP thread per process: with -n 2 workers on 2 cores, more threads spin-wait on each other
# (measured: 9x slower, benchmarks/results/executor_speedup.json).
export OMP_NUM_THREADS := 1

.PHONY: help install course test test-fast nbval notebooks-refresh notebooks-check site lock benchmarks clean

help:
	@echo "make course   - install if needed, run all notebooks (quick mode) into $(BUILD)/, print summary"
	@echo "make test     - install if needed, run unit + integration tests and nbval over every notebook"
	@echo "make notebooks-refresh - re-execute notebooks in place (quick mode) to update stored outputs"
	@echo "make site     - the static course site (notebooks, equation index, results) into $(BUILD)/site"
	@echo "make notebooks-check - list stored outputs that disagree with results/ or carry machine paths"
	@echo "make benchmarks - run the CPU benchmarks under benchmarks/"

install: $(STAMP)

$(STAMP): $(LOCK) pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PYTHON) -m serlib.envcheck --python-only
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --constraint $(LOCK) --editable ".[dev]"
	$(PY) -m serlib.envcheck
	@touch $(STAMP)

course: $(STAMP)
	SERLIB_MODE=quick $(PY) -m serlib.cli course --build $(BUILD)

# nbval compares stored outputs made by `make notebooks-refresh`, which hides the stand-in corpora (committed
# outputs must not show them): the check hides them too, so it compares like with like wherever ../shared exists.
test: $(STAMP)
	SERLIB_MODE=quick SERLIB_FIGURES=$(BUILD)/test-figures $(PY) -m pytest -p no:cacheprovider -n 2 --dist loadfile tests
	SERLIB_NO_STANDIN=1 SERLIB_MODE=quick SERLIB_FIGURES=$(BUILD)/test-figures $(PY) -m pytest -p no:cacheprovider --nbval-lax \
		--nbval-sanitize-with notebooks/nbval_sanitize.cfg --nbval-cell-timeout=900 notebooks

test-fast: $(STAMP)
	SERLIB_MODE=quick SERLIB_FIGURES=$(BUILD)/test-figures $(PY) -m pytest -p no:cacheprovider -x -q tests

nbval: $(STAMP)
	SERLIB_NO_STANDIN=1 SERLIB_MODE=quick SERLIB_FIGURES=$(BUILD)/test-figures $(PY) -m pytest -p no:cacheprovider --nbval-lax \
		--nbval-sanitize-with notebooks/nbval_sanitize.cfg --nbval-cell-timeout=900 notebooks

notebooks-refresh: $(STAMP)
	SERLIB_MODE=quick $(PY) -m serlib.cli course --build $(BUILD) --inplace

# Built from the notebooks' stored (committed, executed) outputs: nothing is re-executed.
site: $(STAMP)
	$(PY) -m serlib.report.site --out $(BUILD)/site

# Which stored outputs are stale (a results file changed after the notebook ran)? Seconds; no kernel.
notebooks-check: $(STAMP)
	$(PY) -m serlib.report.stale

benchmarks: $(STAMP)
	$(PY) benchmarks/run_all.py

# Regenerate the lock from the current environment (after a tested upgrade).
lock: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | grep -v '^serlib' > $(LOCK)

clean:
	rm -rf $(BUILD) .pytest_cache
