"""``python -m fkp_helpers …`` works the same as ``fkp …``."""

from .cli import main

raise SystemExit(main())
