"""`python -m services.registratie`: run the registratie service."""

from plumbing.runtime import serve
from services.registratie.service import SPEC, Settings

serve(SPEC, Settings)
