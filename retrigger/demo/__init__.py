"""retrigger."""
