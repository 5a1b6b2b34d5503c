from igokg.cli import main

raise SystemExit(main())
