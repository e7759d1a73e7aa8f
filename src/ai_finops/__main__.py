from ai_finops.cli import main

raise SystemExit(main())
