"""Build the offline test images: the same as `python -m tests.images.build` (see tests/images/build.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.images.build import main  # noqa: E402

sys.exit(main())
