"""The honesty check of api/experiments by simulation (`flask experiments simulate`).

Its own package on top of experiments and nudges: it drives both, and nothing imports it but
the CLI wiring.
"""
