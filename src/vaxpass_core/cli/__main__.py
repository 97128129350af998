"""``python -m vaxpass_core.cli``: the same as the ``vaxpass`` command."""

import sys

from vaxpass_core.cli import main


sys.exit(main())
