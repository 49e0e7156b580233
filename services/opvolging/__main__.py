"""Run opvolging: ``python -m services.opvolging`` (settings from the environment)."""

from plumbing.runtime import serve
from services.opvolging.service import SPEC, Settings

if __name__ == "__main__":
    serve(SPEC, Settings)
