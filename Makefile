# The lesson's two commands:  `make lab` (set up, then open the lesson)  and  `make test`.
# Every target is safe to re-run; finished steps are remembered by stamp files in .venv/.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
EVCXR_VERSION := 0.22.0
CARGO_HOME ?= $(HOME)/.cargo
EVCXR := $(CARGO_HOME)/bin/evcxr_jupyter
KERNEL_JSON := $(VENV)/share/jupyter/kernels/rust/kernel.json
NOTEBOOK := notebooks/day45.ipynb
HOST ?= 127.0.0.1
PORT ?= 8888
# JupyterLab refuses to run as root unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
INITKIT_SOURCES := Cargo.toml Cargo.lock $(shell find crates -name '*.rs' -o -name Cargo.toml)

.PHONY: help lab test setup setup-dev evcxr kernel browser notebook constraints clean bench nbbench golden

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

# The server's root is the repository, so the crate's sources are in JupyterLab's file browser;
# the URL it prints opens the lesson itself.
lab: setup  ## set everything up and open the lesson in JupyterLab
	$(VENV)/bin/jupyter lab --ip=$(HOST) --port=$(PORT) $(ROOT_FLAG) \
	  --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/$(NOTEBOOK)

test: setup-dev  ## set everything up and run every test
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --workspace --all-targets --all-features -- -D warnings
	cargo test --workspace --all-features
	$(PY) -m pytest tests -v

setup: $(VENV)/.lab-installed kernel $(VENV)/.warm  ## Python env, evcxr kernel, warm build cache

setup-dev: setup $(VENV)/.dev-installed browser  ## setup, plus the test tools

$(VENV)/.lab-installed: requirements.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	@# No "get notified about Jupyter news?" pop-up in front of a class (and no news to fetch).
	$(VENV)/bin/jupyter labextension disable --level=sys_prefix \
	  @jupyterlab/apputils-extension:announcements >/dev/null 2>&1
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt constraints.txt $(VENV)/.lab-installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

evcxr:  ## install evcxr_jupyter (pinned version) unless it is already there
	@if cargo install --list | grep -qx "evcxr_jupyter v$(EVCXR_VERSION):"; then \
	  echo "evcxr_jupyter $(EVCXR_VERSION) is installed"; \
	else \
	  echo "installing evcxr_jupyter $(EVCXR_VERSION) (about 6 minutes on 2 cores)"; \
	  cargo install --locked evcxr_jupyter@$(EVCXR_VERSION); \
	fi

kernel: evcxr $(VENV)/.lab-installed  ## register the `rust` kernel inside .venv
	$(PY) tools/kernelspec.py --evcxr $(EVCXR) --config-dir $(CURDIR)/.evcxr --prefix $(VENV)

# Running the lesson once brings the kernel's build folder up to date: a teacher's first run is warm.
$(VENV)/.warm: $(INITKIT_SOURCES) $(NOTEBOOK) .evcxr/evcxr.toml .evcxr/prelude.rs tools/kernel.py | kernel
	cargo fetch
	cargo build --workspace --quiet
	$(PY) tools/nbrun.py $(NOTEBOOK)
	touch $@

browser:  ## install Debian's chromium for PNG export and browser tests, if missing
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "chromium is missing: run 'sudo apt-get install chromium chromium-driver'" >&2; exit 1; fi; \
	  echo "installing chromium from Debian's packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

notebook: setup  ## run the lesson and store its outputs in the notebook
	$(PY) tools/nbrun.py $(NOTEBOOK) --write

constraints: $(VENV)/.dev-installed  ## re-pin every Python package (after editing requirements)
	{ echo "# Exact versions of every Python package the lesson and its tests install."; \
	  echo "# Regenerate with: make constraints"; \
	  $(PY) -m pip freeze --exclude-editable; } > constraints.txt

clean:  ## remove build output, the Python env and saved figures
	cargo clean
	rm -rf $(VENV) notebooks/outputs .evcxr/build

bench: $(VENV)/.dev-installed  ## initkit against the NumPy original, side by side, as ratios
	$(PY) tools/bench.py

golden: $(VENV)/.dev-installed  ## rewrite the NumPy reference data the Rust tests compare with
	$(PY) tools/golden.py

nbbench: setup $(VENV)/.dev-installed  ## the lesson's latency on the evcxr kernel, beside the Python original
	$(PY) tools/nbbench.py
