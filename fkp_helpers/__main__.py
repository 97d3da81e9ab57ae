"""``python -m fkp_helpers …`` works the same as ``fkp …``."""

from .cli.main import main

raise SystemExit(main())
