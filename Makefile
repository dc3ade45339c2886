# CM Simulator: every set-up step lives here, so a fresh clone needs only `make run` / `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test lint bench install browser postgres haproxy cluster clean richer-voice lrs

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# torch first, from the CPU wheel on disk: any other torch request pulls a CUDA build.
$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# The richer community voice (Qwen2.5-Coder-1.5B, ~1.1 GB download, 1.9 GB RAM): pick it in
# Settings afterwards, or set CM_SIM_MODEL=qwen2.5-1.5b.
richer-voice: install
	$(PIP) install --quiet -e ".[test,richer-voice]"

run: install
	$(VENV)/bin/cm-sim index
	$(VENV)/bin/cm-sim run --port $(PORT)

# Debian's chromium for the browser tests, where it is missing and apt is available.
# Chromium for the browser tests, and a colour emoji font so avatars are not empty boxes.
browser:
	@if { [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/noto ]; } \
		&& command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium and fonts-noto-color-emoji (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium fonts-noto-color-emoji >/dev/null; \
	fi

# PostgreSQL server binaries for the store tests (the tests start a throwaway cluster on
# loopback); Debian keeps them under /usr/lib/postgresql/N/bin.
postgres:
	@if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		&& command -v apt-get >/dev/null 2>&1; then \
		echo "installing postgresql (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

# HAProxy, the load balancer in front of the replicas (make cluster, the cluster tests).
haproxy:
	@if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ] \
		&& command -v apt-get >/dev/null 2>&1; then \
		echo "installing haproxy (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; \
	fi

# The deployment on this machine: PostgreSQL, Chroma, the model server, two replicas and
# HAProxy on loopback (deploy/README.md). Ctrl-C stops it all.
CLUSTER_PORT ?= 8600
cluster: install postgres haproxy
	$(VENV)/bin/cm-sim cluster up --port $(CLUSTER_PORT)

# ralph (France Université Numérique's xAPI LRS) for the learning-record tests, in its own
# virtual environment: its pins clash with the app's. The tests start it on loopback.
LRS_VENV := .venv-lrs
LRS_STAMP := $(LRS_VENV)/.installed

$(LRS_STAMP):
	@echo "installing ralph (xAPI LRS for the tests) in $(LRS_VENV)"
	@$(PYTHON) -m venv $(LRS_VENV)
	@$(LRS_VENV)/bin/python -m pip install --quiet --upgrade pip
	@$(LRS_VENV)/bin/python -m pip install --quiet "ralph-malph[cli,lrs]==5.1.0" requests
	@touch $(LRS_STAMP)

lrs: $(LRS_STAMP)

lint: install
	$(VENV)/bin/ruff check simulator app_pages tests app.py
	$(VENV)/bin/ruff format --check simulator app_pages tests app.py
	$(VENV)/bin/mypy

test: install browser postgres haproxy lrs lint
	$(VENV)/bin/cm-sim validate scenarios/
	$(VENV)/bin/cm-sim validate-kb
	$(VENV)/bin/cm-sim index
	$(VENV)/bin/pytest

bench: install
	$(VENV)/bin/cm-sim bench --json

clean:
	rm -rf $(VENV) $(LRS_VENV) .pytest_cache .mypy_cache .ruff_cache
