"""`python -m services.analyse`: run the analyse service."""

from plumbing.runtime import serve
from services.analyse.service import SPEC, Settings

serve(SPEC, Settings)
