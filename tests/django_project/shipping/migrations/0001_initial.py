"""The shipment table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Shipment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("company_id", models.CharField(max_length=64)),
                ("title", models.CharField(max_length=200)),
            ],
        )
    ]
