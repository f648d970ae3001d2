"""`python -m synthls` is the same as the `synthls` command."""

from synthls.cli import main

raise SystemExit(main())
