# The score table partitioned by run on PostgreSQL (no change on SQLite); see rapport.core.partitions.

from django.db import migrations

from rapport.core.partitions import partition_by_list


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0003_value_band_from_matrix_index'),
    ]

    operations = [
        partition_by_list("analytics_customerscore", "run_id", key=("id", "run_id")),
    ]
