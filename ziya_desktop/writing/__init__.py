"""Writing logic that runs without Qt: genre templates, writing actions, CJK-aware text statistics, diffs."""
