"""Backtest: replay the trigger policy over the project's history, read-only.

``walk`` finds the commits that changed a ``data:`` path or the metrics file; ``inputs`` reads
what ``check`` would have read at each (git, the DVC cache, MLflow's past runs); ``replay``
applies the policy with the clock at the commit's time and moves the trained version where the
replay retrains; ``whatif`` builds changed configs and compares; ``report``, ``html`` and
``png`` render. Nothing here writes to the work tree, the state store or MLflow.
"""
