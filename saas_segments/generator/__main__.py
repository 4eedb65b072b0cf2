"""``python -m saas_segments.generator``."""

from .cli import main

raise SystemExit(main())
