"""The host's own app: shipments a company books."""
