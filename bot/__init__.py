"""The Slack front door: bolt wiring only (parse, call the engine, ack)."""
