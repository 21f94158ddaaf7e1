# jiqun: `make run` serves the demo province; `make test` runs every test. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
UV := .uv/bin/uv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
VENDOR := jiqun/static/vendor
# Debian packages: a browser for the page tests, CJK fonts and pango/harfbuzz for PDF and charts,
# LibreOffice Calc to test that a workbook re-saved by LibreOffice imports, poppler-utils (pdftotext, pdffonts,
# pdftoppm) to read the PDF reports back in the tests.
# RUN_DEBS are what the served platform needs (CJK fonts and pango/harfbuzz for the PDF reports); `make run` installs them.
RUN_DEBS := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
DEBS := $(RUN_DEBS) chromium libreoffice-calc-nogui poppler-utils

.PHONY: run dev test test-pg install run-deps system-deps static migrate demo lint check-engine bench messages clean

# `serve` also starts the background worker (manage.py db_worker) for reports and large templates, see docs/background-tasks.md.
run: install run-deps static migrate
	$(PY) manage.py demo --if-empty
	$(PY) manage.py serve $(HOST)

# For debugging: Django's development server with DEBUG on (tracebacks, auto-served static files).
dev: install run-deps static migrate
	$(PY) manage.py demo --if-empty
	$(PY) manage.py serve --debug $(HOST)

# --durations names the slowest steps in every run, so a test that turns slow is seen in the log.
# With CI set (CI=true make test), the property tests draw derandomised (the "ci" profile in jiqun/conftest.py).
test: install system-deps static check-engine lint
	$(PY) -m pytest -q --durations=15 $(PYTEST_ARGS)

# The same suite against PostgreSQL (DATABASE_URL must point at a server that lets us create a test database).
test-pg: install system-deps static
	$(PY) -m pytest -q --durations=15 $(PYTEST_ARGS)

install: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install -q uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python $(PYTHON) -q
	touch $@

run-deps:
	@$(MAKE) --no-print-directory system-deps DEBS="$(RUN_DEBS)"

system-deps:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

static: $(VENDOR)/.copied

# --ignore-scripts: the libraries are plain files to copy; no install script (such as swagger-ui-dist's
# @scarf/scarf telemetry) runs on the build machine. The province map (echarts 4.9.0's Shandong, 莱芜 merged into
# 济南, labelled 示意图) is derived by scripts/build_map.py (standard library only); see docs/map.md.
$(VENDOR)/.copied: package.json package-lock.json scripts/build_map.py jiqun/regions/data/shandong.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/echarts
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE $(VENDOR)/echarts/
	cp node_modules/echarts/i18n/langZH.js $(VENDOR)/echarts/ 2>/dev/null || true
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css,LICENSE,NOTICE} $(VENDOR)/swagger-ui/
	mkdir -p $(VENDOR)/maps
	$(PYTHON) scripts/build_map.py
	cp node_modules/echarts4-maps/LICENSE $(VENDOR)/maps/LICENSE
	touch $@

migrate: install
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py demo

lint: install
	$(VENV)/bin/ruff check jiqun

# The engine must stay importable without Django (DESIGN §4).
check-engine: install
	@if grep -rnE "^\s*(from|import)\s+django" jiqun/scoring; then echo "jiqun/scoring imports django" >&2; exit 1; fi
	$(PY) -c "import sys, jiqun.scoring, jiqun.scoring.cli; bad=[m for m in sys.modules if m.split('.')[0]=='django']; print(*bad); sys.exit(1 if bad else 0)"

bench: install
	$(PY) bench/run.py

messages: install
	cd jiqun && ../$(PY) ../manage.py makemessages -l en --no-obsolete && ../$(PY) ../manage.py compilemessages -l en

clean:
	rm -rf $(VENV) .uv node_modules $(VENDOR)
