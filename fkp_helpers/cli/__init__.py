"""The ``fkp`` command line: the only part of the package that knows about exit
statuses.

* :mod:`~fkp_helpers.cli.main` — :func:`~fkp_helpers.cli.main.main`, the parser,
  ``fkp synth`` and ``fkp data``;
* :mod:`~fkp_helpers.cli.models` — ``fkp train``, ``fkp predict`` and ``fkp score``;
* :mod:`~fkp_helpers.cli.detect` — ``fkp detect``: keypoints on a photo;
* :mod:`~fkp_helpers.cli.export` — ``fkp export``: a run saved for serving;
* :mod:`~fkp_helpers.cli.argtypes` — argument types shared with the benchmark scripts;
* :mod:`~fkp_helpers.cli.errors` — :class:`~fkp_helpers.cli.errors.CommandError`, for
  bad arguments.

Library errors (:class:`fkp_helpers.errors.FkpError`) and ``CommandError`` both
end as one line, ``fkp: error: <message>``, and exit status 2.
"""
