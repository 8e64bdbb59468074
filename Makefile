# Everything starts from a fresh machine with Python 3.10+ and pip: each target creates the virtual
# environment (.venv) and installs flyte-core plus every plugin distribution under plugins/ first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

# flytekit 1.16.31 in a virtual environment of its own: the reference the compatibility tests compare against
# and the unmodified client the sandbox tests drive (kubernetes: for pod templates). Never a dependency of flyte-core.
FLYTEKIT_VENV := benchmarks/.venv-flytekit-core
FLYTEKIT_STAMP := $(FLYTEKIT_VENV)/.installed
# flytekit with flytekitplugins-ray, -spark and -pod: the fair start-up comparison (flytekit imports its plugins).
FLYTEKIT_PLUGINS_VENV := benchmarks/.venv-flytekit
FLYTEKIT_PLUGINS_STAMP := $(FLYTEKIT_PLUGINS_VENV)/.installed

.PHONY: demo demo-remote test test-fast test-pythons lint bench install clean

$(STAMP): pyproject.toml $(addsuffix /pyproject.toml,$(PLUGIN_DIRS)) core/flyte_core/_version.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# compat: a plain path per project in the .pth files; the default finder hooks cost ~18 ms at every start.
	$(BIN)/python -m pip install --quiet --config-settings editable_mode=compat -e '.[dev]' $(addprefix -e ./,$(PLUGIN_DIRS))
	@# Editable installs are not byte-compiled by pip; do it once so start-up never compiles sources.
	$(BIN)/python -m compileall -q core $(PLUGIN_DIRS)
	touch $(STAMP)

install: $(STAMP)

$(FLYTEKIT_STAMP):
	test -x $(FLYTEKIT_VENV)/bin/python || $(PYTHON) -m venv $(FLYTEKIT_VENV)
	$(FLYTEKIT_VENV)/bin/python -m pip install --quiet flytekit==1.16.31 kubernetes==37.0.1
	touch $(FLYTEKIT_STAMP)

$(FLYTEKIT_PLUGINS_STAMP):
	test -x $(FLYTEKIT_PLUGINS_VENV)/bin/python || $(PYTHON) -m venv $(FLYTEKIT_PLUGINS_VENV)
	@# pyspark is published only as an sdist whose setup.py needs pkg_resources (setuptools < 81), and an
	@# unpinned resolve backtracks to a pandas sdist: build without isolation, pin what the baseline used.
	$(FLYTEKIT_PLUGINS_VENV)/bin/python -m pip install --quiet "setuptools<81" wheel
	$(FLYTEKIT_PLUGINS_VENV)/bin/python -m pip install --quiet --no-build-isolation pyspark==4.3.0
	$(FLYTEKIT_PLUGINS_VENV)/bin/python -m pip install --quiet --no-build-isolation flytekit==1.16.31 \
		flytekitplugins-ray==1.16.31 flytekitplugins-spark==1.16.31 flytekitplugins-pod==1.16.31 pandas==3.1.1 numpy==2.4.6
	touch $(FLYTEKIT_PLUGINS_STAMP)

# The main job: what is installed, example workflows run locally, then on the sandbox (started if it is not
# running; it keeps running so the printed console URLs work: `pyflyte sandbox stop` ends it), and the
# examples' registrable package.
demo: $(STAMP)
	$(BIN)/pyflyte --version
	$(BIN)/pyflyte plugins --all
	$(BIN)/pyflyte run examples/hello.py hello_wf --name demo
	$(BIN)/pyflyte run examples/pipeline.py pipeline --xs '[1, 2, 3, 4, 5]' --label demo
	@$(MAKE) --no-print-directory demo-remote
	@# What registration would ship: the examples' protobufs and their code archive.
	mkdir -p .demo
	$(BIN)/pyflyte --pkgs examples package --image ghcr.io/flyte-core/demo:v1 --copy auto -f -o .demo/flyte-package.tgz
	tar tzf .demo/flyte-package.tgz

# The demo's remote part with the pyflyte in $(BIN): `make test-pythons` runs it with each interpreter's
# environment, on a sandbox of its own (SANDBOX_STATE, SANDBOX_ARGS="--port 0 --http-port 0").
SANDBOX_STATE ?= $(HOME)/.flyte/sandbox
SANDBOX_ARGS ?=
demo-remote:
	$(BIN)/pyflyte sandbox start --state-dir $(SANDBOX_STATE) $(SANDBOX_ARGS)
	$(BIN)/pyflyte -c $(SANDBOX_STATE)/config.yaml run --remote --wait examples/hello.py hello_wf --name demo
	$(BIN)/pyflyte -c $(SANDBOX_STATE)/config.yaml run --remote --wait examples/pipeline.py pipeline --xs '[1, 2, 3, 4, 5]' --label demo
	$(BIN)/pyflyte sandbox status --state-dir $(SANDBOX_STATE)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# What CI runs (.ci/run): lint, type checks and every test, slow suites included (the built wheels installed in a
# fresh venv among them), then the interpreter matrix.
test: lint $(FLYTEKIT_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory test-pythons

# Day-to-day: skip the suites marked slow.
test-fast: lint
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

# Every supported interpreter (noxfile.py): the fast suite and the demo's remote run on each.
# PYTHONS="3.12 3.13" runs a subset (labels: 3.10 3.11 3.11-system 3.12 3.13).
PYTHONS ?=
test-pythons: $(STAMP)
	$(BIN)/nox $(if $(PYTHONS),-s $(addprefix tests-,$(PYTHONS)))

# Side by side with flytekit 1.16.31, one table (benchmarks/README.md); BENCH_ARGS="--only startup,local" etc.
bench: $(STAMP) $(FLYTEKIT_STAMP) $(FLYTEKIT_PLUGINS_STAMP)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .nox .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
