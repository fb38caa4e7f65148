"""Management commands of the teamaccess Django app."""
