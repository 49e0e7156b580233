# Sourced by ./test and ./demo: one virtual environment with the pinned dependencies.
# pip's own output goes to .venv/install.log and is shown only when it fails.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ requirements.lock -nt .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  echo "installing the pinned dependencies into .venv (log: .venv/install.log)" >&2
  if ! {
    .venv/bin/python -m pip install -q --upgrade pip &&
      .venv/bin/python -m pip install -q -r requirements.lock &&
      .venv/bin/python -m pip install -q --no-deps -e .
  } >.venv/install.log 2>&1; then
    cat .venv/install.log >&2
    echo "installing the dependencies failed (see above)" >&2
    exit 1
  fi
  touch .venv/.installed
fi
