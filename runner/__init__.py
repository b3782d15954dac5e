"""The embedded run: one command, one port, every service, on SQLite and the embedded broker."""
