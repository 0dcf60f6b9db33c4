"""``python -m govtag.cli``: the ``govtag`` command."""

import sys

from govtag.cli.main import main

sys.exit(main())
