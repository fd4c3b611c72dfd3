# The course's two commands:  `make lab`  and  `make test`.
# Both create the virtual environment .venv on first use and reuse it after.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.lossedu-installed

.PHONY: setup lab test torch notebooks lint bench clean instructor student live

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "lossedu needs Python 3.10 or newer; run make PYTHON=python3.1x ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[notebooks,test]"
	touch $(STAMP)

setup: $(STAMP)              ## create .venv with everything the course and its tests need

# JupyterLab refuses to run as root (containers, some cloud machines) unless told to.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# No news pop-up ("Would you like to get notified about official Jupyter news?") on a
# learner's first start: tools/jupyterlab-overrides.json, copied into the app settings
# directory of .venv's JupyterLab, sets that setting's default to "never" (Settings can
# still switch it on).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_OVERRIDES): tools/jupyterlab-overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp tools/jupyterlab-overrides.json $@

lab: $(STAMP) $(LAB_OVERRIDES)  ## open the course in JupyterLab
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_start_here.ipynb

test: $(STAMP)               ## run every test: library, doctests, notebooks (nbval), browser
	$(BIN)/python -m pytest

# PyTorch for the parity tests. Plain `pip install torch` on Linux x86-64 takes PyPI's CUDA
# build (several GB with its nvidia-* wheels); the CPU build, all the tests need, comes from
# PyTorch's own index:  make torch TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
TORCH_INDEX_URL ?=

torch: $(STAMP)              ## add PyTorch 2.13.0 for the parity tests (see TORCH_INDEX_URL)
	@echo "Installing torch==2.13.0 from $(or $(TORCH_INDEX_URL),pip's configured index). On Linux x86-64 PyPI's torch is the CUDA build (several GB); for the CPU build: make torch TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu"
	$(BIN)/python -m pip install --quiet torch==2.13.0 $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL))

notebooks: $(STAMP)          ## re-execute every lesson and problem set in place from a fresh kernel
	$(BIN)/python tools/execute_notebooks.py

lint: $(STAMP)
	$(BIN)/ruff check lossedu tests benchmarks notebooks tools nbgrader_config.py

# Instructors: nbgrader 0.9 makes the student and live copies; it needs Python 3.11 or
# newer and brings Notebook 7 and SQLAlchemy, so it is an extra, not a learner's dependency.
INSTRUCTOR_STAMP := $(VENV)/.lossedu-instructor

$(INSTRUCTOR_STAMP): $(STAMP)
	@$(BIN)/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "make student and make live use nbgrader 0.9, which needs Python 3.11 or newer; .venv has Python %d.%d. Install Python 3.11+, then: make clean && make student PYTHON=python3.11" % sys.version_info[:2])'
	$(BIN)/python -m pip install --quiet -e ".[notebooks,test,instructor]"
	touch $(INSTRUCTOR_STAMP)

instructor: $(INSTRUCTOR_STAMP)  ## add nbgrader 0.9 to .venv (the instructor extra; Python >= 3.11)

student: $(INSTRUCTOR_STAMP)     ## student copies of every lesson and problem set in build/student/
	$(BIN)/python -m tools.copies student

live: $(INSTRUCTOR_STAMP)        ## live-coding copies of every lesson in build/live/
	$(BIN)/python -m tools.copies live

bench: $(STAMP)              ## speed and accuracy benchmarks; results in benchmarks/README.md
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV)
