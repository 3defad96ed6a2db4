.PHONY: demo test bootstrap bench

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	.venv/bin/onestop demo

test: bootstrap
	.venv/bin/python -m pytest $(PYTEST_ARGS)

bench: bootstrap
	.venv/bin/python bench/ingest.py
	.venv/bin/python bench/call_next.py
	.venv/bin/python bench/dossiers.py
