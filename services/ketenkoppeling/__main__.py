"""`python -m services.ketenkoppeling`: the service, configured from the environment."""

from plumbing.runtime import serve
from services.ketenkoppeling.service import SPEC, Settings

if __name__ == "__main__":
    serve(SPEC, Settings)
