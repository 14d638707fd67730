"""How numbers, sizes, durations and times read to people, in one place (``format``).

The CLI, Slack messages, ``explain``, ``history`` and the drift reports all format through it,
so ``+3,500 rows, +84.3 kB`` reads the same wherever it appears. It imports nothing of
retrigger, so every room may use it. Charts go through ``plotting`` (matplotlib, on use).
"""
