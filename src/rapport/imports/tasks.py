"""Background jobs: run an import batch started from the web page (``services.batch_start`` queues it)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import translation
from huey.contrib.djhuey import db_task

from rapport.core.errors import RapportError
from rapport.imports.models import ImportBatch
from rapport.imports.services import batch_run

log = logging.getLogger(__name__)


@db_task()
def import_batch_run_task(batch_id: int) -> None:
    """Run the batch; its progress (rows_done, counts) is committed chunk by chunk for the page to poll.

    The report and the messages are in the language of the user who started it. A failure is recorded on
    the batch (status and error) for the page to show, and the batch can be resumed.
    """
    batch = ImportBatch.objects.select_related("user").filter(pk=batch_id).first()
    if batch is None:
        return
    language = getattr(batch.user, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            batch_run(batch=batch)
        except RapportError as exc:  # a bad file or mapping: recorded on the batch, nothing to retry
            log.info("import batch %s stopped: %s", batch_id, exc)
