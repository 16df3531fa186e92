from django.db import models


class CustomerSearch(models.Model):
    """PostgreSQL only: each customer's search document, copied here by triggers, with the trigram index.

    The index lives off the customer row so that an update which leaves the document alone (a lifecycle move,
    a change of owner) does not write a GIN entry per trigram for the row's new version; see decision 0007.
    SQLite's counterpart is the FTS5 table ``customers_customer_fts``. The migration creates this table and
    its triggers, so the model is unmanaged; it is here for the bulk loader, the planner's statistics and tests.
    """

    id = models.BigIntegerField(primary_key=True)
    document = models.TextField()

    class Meta:
        managed = False
        db_table = "customers_customer_search"

    def __str__(self) -> str:
        return f"{self.pk}: {self.document}"
