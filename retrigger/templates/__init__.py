"""Files that ``retrigger init`` writes, shipped as package data (read with importlib.resources).

Placeholders are ``@@NAME@@`` so they never clash with GitHub's ``${{ }}`` or YAML syntax.
"""
