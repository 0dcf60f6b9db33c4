# The two commands of the README:
#   make demo   set up .venv, train a small model, evaluate it on dev, predict on a report
#   make test   set up .venv (the Label Studio server in .venv-ls, Chromium for the page test), run the test suite
VENV := .venv
GOVTAG := $(VENV)/bin/govtag
GOLD ?= ../shared/gold
REPORT ?= data/examples/township_report.txt

.PHONY: setup demo test bench

setup:
	bash scripts/setup.sh

demo: setup
	$(GOVTAG) base import-e5 --layers 4 --half --gold $(GOLD)/train.json --gold $(GOLD)/dev.json -o runs/bases/e5-small-l4
	$(GOVTAG) train configs/small.yaml --overwrite --set data.train=$(GOLD)/train.json --set data.dev=$(GOLD)/dev.json \
	  --set base_model=runs/bases/e5-small-l4
	$(GOVTAG) evaluate --model runs/small/model --data $(GOLD)/dev.json -o runs/small/dev_eval
	$(GOVTAG) predict --model runs/small/model --format json $(REPORT)

test: setup
	bash scripts/install_labelstudio.sh
	bash scripts/install_browser.sh
	HF_HUB_OFFLINE=1 $(VENV)/bin/python -m pytest -q

bench: setup
	$(VENV)/bin/python benchmarks/predict_speed.py
