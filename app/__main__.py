"""`python -m app` starts the API (same as `python -m app.api`)."""

import sys

from app.api import main

sys.exit(main())
