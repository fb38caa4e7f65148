"""``teamaccess_relay`` and ``teamaccess_explain``."""
