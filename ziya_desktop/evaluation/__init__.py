"""Side-by-side evaluation: prompt sets, contenders, runs that generate their answers, the KL measure between two
quantizations, and (in ``judgements``, ``win_rates`` and ``report``) the judges' verdicts and the win rates.

No Qt here; the judging window lives in ``ziya_desktop.ui.evaluation``.
"""
