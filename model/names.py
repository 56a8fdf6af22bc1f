"""The names of support types, tie kinds and life-event kinds, and the kinds' integer codes.

Plain tuples, no numpy: the command line and config validation read them (through
:mod:`supportnet.metrics`) without loading the array stack. :mod:`supportnet.kinds` re-exports
them beside the tables that make the kinds differ.
"""

from __future__ import annotations

__all__ = ["EVENT_KINDS", "KIND_CODES", "SUPPORT_TYPES", "TIE_KINDS"]

#: The four support types (House 1981), in the column order of every (n, 4) array.
SUPPORT_TYPES = ("emotional", "instrumental", "informational", "appraisal")

#: Tie kinds, in the order of their integer codes.
TIE_KINDS = ("family", "friend", "neighbour", "peer", "professional", "online")
KIND_CODES = {name: code for code, name in enumerate(TIE_KINDS)}
FAMILY, FRIEND, NEIGHBOUR, PEER, PROFESSIONAL, ONLINE = range(len(TIE_KINDS))

#: Kinds of life event (their needs across the support types are in supportnet.kinds).
EVENT_KINDS = ("loss", "practical", "financial", "interpersonal")
