.PHONY: demo test lint bootstrap bench guide

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	.venv/bin/onestop demo

# ruff (rules in pyproject.toml) and mypy (strict for protocol/, workdays/ and
# cloud/domain/); part of `make test`, so CI fails on either.
lint: bootstrap
	.venv/bin/ruff check .
	.venv/bin/mypy

test: lint
	.venv/bin/python -m pytest $(PYTEST_ARGS)

bench: bootstrap
	.venv/bin/python bench/ingest.py
	.venv/bin/python bench/call_next.py
	.venv/bin/python bench/dossiers.py

# The user guides' pictures (cloud/web/guide/img/): the browser tests walk each
# role's path and keep a screenshot at every step a guide shows.
guide: bootstrap
	ONESTOP_GUIDE_SHOTS=cloud/web/guide/img .venv/bin/python -m pytest -q -m browser tests
