"""Storage adapters: the only code that knows how data is kept."""
