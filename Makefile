# One path for a newcomer, for developers and for CI: `make run` and `make test`.
# Both set up what is missing before they start: the virtual environment and Python packages,
# and from Debian WeasyPrint's libraries (run and test) and redis-server, Chromium, Node (test).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/dev.txt
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 8000

.PHONY: run test lint types unit browser bench soak deploy-check lock faults audit runtime system clean help

help:
	@echo "make run    start Tijdlijn on http://localhost:$(PORT)/ (in-memory store)"
	@echo "make test   set up and run every check and test (lint, types, unit, Redis, browser)"
	@echo "make bench  run the benchmarks in bench/ (about 10 minutes; see bench/README.md)"
	@echo "make soak   steady load for 30 minutes (SOAK_MINUTES=...): is memory flat, GC pauses"
	@echo "make deploy-check  Redis, two replicas and nginx (TLS) on loopback, a meeting through it"
	@echo "make lock   re-pin every Python dependency (requirements/*.txt) from pyproject.toml"
	@echo "make faults repeat the kill -9 and Redis-pause fault cases 20 times and count losses"
	@echo "make audit  known vulnerabilities in Python and browser packages (needs the advisory databases)"

# Every dependency exactly as locked in requirements/ (pinned, sha256-checked); then the project
# itself, editable, built with the locked setuptools. `make lock` re-pins (docs/deploy.md).
$(STAMP): $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# uv resolves for Python 3.11 on every platform (--universal) and records every file's hash.
UV_VERSION := 0.13.8
UV := .tools/uv/bin/uv
LOCK_FLAGS := --generate-hashes --universal --python-version 3.11 --quiet \
	--custom-compile-command "make lock"
$(UV):
	$(PYTHON) -m venv .tools/uv
	.tools/uv/bin/python -m pip install --quiet uv==$(UV_VERSION)

# Keeps existing pins where it can; `make lock UPGRADE=--upgrade` moves everything to the newest.
lock: $(UV)
	$(UV) pip compile pyproject.toml requirements/build.in $(LOCK_FLAGS) $(UPGRADE) \
		-o requirements/runtime.txt
	$(UV) pip compile pyproject.toml requirements/build.in --extra dev $(LOCK_FLAGS) $(UPGRADE) \
		-o requirements/dev.txt

# Installs from Debian only the packages that are missing, so a ready machine is not touched.
# runtime: what the server itself needs (WeasyPrint's libraries and a font for the PDF report).
# system: that, plus what the tests need (redis-server, Chromium, Node for the JS checks).
# fonts-noto-color-emoji: emoji people type (👍) print in the PDF instead of empty boxes.
RUNTIME_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
	fonts-noto-color-emoji
TEST_PACKAGES := redis-server chromium nginx openssl
define apt_install
	@missing=""; \
	for package in $(1); do dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing from Debian:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

runtime:
	$(call apt_install,$(RUNTIME_PACKAGES))

system: runtime
	$(call apt_install,$(TEST_PACKAGES))
	@command -v node >/dev/null || $(SUDO) apt-get install -y -qq --no-install-recommends nodejs >/dev/null
	@command -v npm >/dev/null || $(SUDO) apt-get install -y -qq --no-install-recommends npm >/dev/null

# The benchmark's Node side (load generator, reference server), pinned by bench/package-lock.json.
BENCH_NODE := bench/node_modules/.package-lock.json
$(BENCH_NODE): bench/package-lock.json | system
	cd bench && npm ci --no-audit --no-fund --silent

run: $(STAMP) runtime
	$(BIN)/tijdlijn serve --port $(PORT)

# node_modules/ from package-lock.json (TypeScript and Prettier for the front end), when missing.
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package-lock.json
	@command -v npm >/dev/null || $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
	npm ci --no-audit --no-fund --silent

lint: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check server tests bench
	$(BIN)/ruff format --check server tests bench
	npx --no-install prettier --check --log-level warn "web/**/*.js"
	npx --no-install tsc -p tsconfig.json

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) system
	$(BIN)/pytest -m "not browser"

browser: $(STAMP) system
	$(BIN)/pytest -m browser

test: $(STAMP) system $(BENCH_NODE) lint types
	$(BIN)/pytest

# The side-by-side table (bench/results/latest.json), then the cost of a write as a meeting grows.
bench: $(STAMP) system $(BENCH_NODE)
	$(BIN)/python bench/bench_fanout.py
	$(BIN)/python bench/bench_growth.py

# Meetings come and go at a steady load against `tijdlijn serve`: RSS over time (flat or not) and
# the garbage collector's pauses (bench/soak.py; a few-second smoke run is in make test).
SOAK_MINUTES ?= 30
soak: $(STAMP) system
	$(BIN)/python bench/soak.py --minutes $(SOAK_MINUTES)

deploy-check: $(STAMP) system
	$(BIN)/pytest tests/test_deploy.py -v

# The kill -9 and Redis-pause cases of tests/test_faults.py, 20 runs each (about 10 minutes):
# prints acknowledged writes, missing ones and divergent devices; fails if any were lost.
FAULT_RUNS ?= 20
faults: $(STAMP) system
	$(BIN)/python bench/faults.py --runs $(FAULT_RUNS)

# pip-audit and npm audit; says "NOT AUDITED" for a part whose advisory database is unreachable.
audit: $(STAMP)
	$(BIN)/python tools/audit.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artefacts bench/node_modules
