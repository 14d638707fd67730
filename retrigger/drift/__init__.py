"""Data drift between two tables, with Evidently's default tests and verdicts.

Modules (imported directly; this package imports nothing so that importing it stays free):

- ``io``: tables read one column at a time (Parquet, CSV, JSON Lines, folders);
- ``sources``: what a user names (path, ``path@REV``, ``path@trained``) to local files;
- ``columns``: the kind of each column, inferred as Evidently does;
- ``samples`` and ``stattests``: the statistics, a ``StatTest`` Protocol and a registry dict;
- ``engine``: ``compare(reference, current, DriftOptions) -> DriftReport`` (``result``);
- ``report_html``, ``png``, ``plots``: the reports.
- ``profiles`` (mergeable per-partition profiles and their cache), ``profile_scores`` (scores
  from two profiles, with their error bounds), ``partitions`` (hive partitions, fingerprints),
  ``engines.duckdb`` (profiles by aggregate SQL over Parquet); not yet used by ``engine``.
"""
