"""The Pulumi program: read validated settings, build the platform's components, export outputs."""

import sys
from pathlib import Path

# `pulumi up` runs this file with infra/ as the working directory; the packages live one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.program import main  # noqa: E402

main()
