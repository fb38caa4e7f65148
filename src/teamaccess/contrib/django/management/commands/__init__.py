"""``teamaccess_relay``, ``teamaccess_explain`` and ``teamaccess_sync_users``."""
