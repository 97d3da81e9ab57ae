"""The book's figures and tables (matplotlib, pandas).

* :mod:`~fkp_helpers.figures.faces` — faces with their keypoints, and what the training
  data holds;
* :mod:`~fkp_helpers.figures.error_analysis` — a model's error per face and per
  keypoint;
* :mod:`~fkp_helpers.figures.learning_curves` — per-epoch tables and log-scale learning
  curves;
* :mod:`~fkp_helpers.figures.benchmark_tables` — the benchmarks' latest results as
  tables.
"""
