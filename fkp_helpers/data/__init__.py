"""Kaggle's data: the CSV readers and their parse cache, finding a data folder, checking
one, submissions.

* :mod:`~fkp_helpers.data.files` — the file names of a data folder, and how to get them;
* :mod:`~fkp_helpers.data.kaggle_csv` — strict, fast readers for the four CSV files;
* :mod:`~fkp_helpers.data.parse_cache` — parsed files kept on disk, so a second load is
  instant;
* :mod:`~fkp_helpers.data.sources` — :func:`~fkp_helpers.data.sources.find_data`: which
  folder to use;
* :mod:`~fkp_helpers.data.check` — validate and summarise a folder (``fkp data info``);
* :mod:`~fkp_helpers.data.submission` — write, check and score a Kaggle submission.

None of them imports TensorFlow.
"""
