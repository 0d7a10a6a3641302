from ziya_desktop.cli import main

raise SystemExit(main())
