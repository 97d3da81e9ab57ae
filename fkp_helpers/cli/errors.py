"""The command line's own error: bad arguments and refused outputs, which only ``fkp``
raises.

The library raises :class:`fkp_helpers.errors.FkpError` and its subclasses;
:func:`fkp_helpers.cli.main.main` prints either kind as ``fkp: error: <message>``
and exits with status 2.
"""

from __future__ import annotations


class CommandError(Exception):
    """A user-facing failure of a command: bad arguments, an output that would overwrite
    an input, …"""
