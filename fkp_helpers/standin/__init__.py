"""The stand-in: generated faces with exactly known keypoints, in Kaggle's file format.

* :mod:`~fkp_helpers.standin.faces` — the procedural 96x96 face renderer;
* :mod:`~fkp_helpers.standin.lit_faces` — lit 3D faces in a wider range of pose and
  look, for networks meant for photos (not in the stand-in's files);
* :mod:`~fkp_helpers.standin.dataset` — the dataset writer (``fkp synth``), with
  Kaggle's missing-label pattern;
* :mod:`~fkp_helpers.standin.scenes` — large photos with one stand-in face at a known
  place, for the photo path;
* :mod:`~fkp_helpers.standin.progress` — the writer's progress bar.
"""
