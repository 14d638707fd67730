"""Performance without labels: the champion's metric estimated on new, unlabelled rows."""
