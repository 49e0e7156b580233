"""`python -m services.registratie.importers <formaat> <bestand> --school … --url …`"""

import sys

from services.registratie.importers.cli import main

sys.exit(main())
