"""The service layer: the facade hosts call, one command = one unit of work."""
