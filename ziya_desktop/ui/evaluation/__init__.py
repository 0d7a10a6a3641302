"""Blind side-by-side evaluation: the judging window with its results, and making a run's answers in the
background (see :mod:`ziya_desktop.evaluation` for the runs, verdicts and win rates themselves)."""
