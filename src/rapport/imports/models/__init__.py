from rapport.imports.models.batch import BatchStatus, ImportBatch, ImportChunk
from rapport.imports.models.mapping import ImportMapping

__all__ = ["BatchStatus", "ImportBatch", "ImportChunk", "ImportMapping"]
