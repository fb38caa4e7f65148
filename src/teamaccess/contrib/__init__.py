"""Integrations with web frameworks: [teamaccess.contrib.fastapi][] (extra ``fastapi``)."""
