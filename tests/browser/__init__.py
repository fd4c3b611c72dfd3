"""End-to-end tests of the course in JupyterLab with chromium (a package: its conftest
must not clash with tests/conftest.py under --doctest-modules)."""
