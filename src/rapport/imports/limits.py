"""The bounds an import file must stay within, so one bad or hostile file cannot exhaust memory or disk.

Each limit is a module constant a caller may override per call (``open_source(..., max_bytes=...)``);
the file-size cap also reads the ``RAPPORT_IMPORT_MAX_BYTES`` setting.
"""

from __future__ import annotations

from django.conf import settings

# Files above this are refused before a byte is read (when the size is known) or as soon as it is passed.
MAX_BYTES = 2 * 1024**3
# More columns than any real customer sheet has; a wider row is almost always a wrong delimiter or junk.
MAX_COLUMNS = 500
# One cell. A notes field of a few pages is a few KB; a megabyte is a stuck quote swallowing the file.
MAX_FIELD_CHARS = 1024 * 1024
# One CSV record across all its physical lines: bounds memory even when every field stays under the field cap.
MAX_RECORD_CHARS = 16 * 1024 * 1024
# XLSX: the sum of the uncompressed sizes the ZIP declares. A 1M-row customer sheet is a few hundred MB of XML.
MAX_UNCOMPRESSED_BYTES = 1024**3
# XLSX: sheet XML compresses 5-30:1, a sheet of styled empty cells up to ~60:1; zeros compress ~1000:1.
MAX_COMPRESSION_RATIO = 100
# ...but only members above this size are held to the ratio: small parts (styles, an empty sheet) can be
# very repetitive and are harmless.
RATIO_CHECK_MIN_BYTES = 8 * 1024 * 1024

# Bytes read to detect the encoding and the delimiter.
SAMPLE_BYTES = 64 * 1024


def max_bytes_setting() -> int:
    value = getattr(settings, "RAPPORT_IMPORT_MAX_BYTES", None)
    return int(value) if value else MAX_BYTES
