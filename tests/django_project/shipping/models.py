"""The host's model."""

from django.db import models


class Shipment(models.Model):
    """A shipment a company booked."""

    company_id = models.CharField(max_length=64)
    title = models.CharField(max_length=200)

    class Meta:
        app_label = "shipping"
