"""Scoring models on labelled rows: shared by the validation gate and the performance signal."""
