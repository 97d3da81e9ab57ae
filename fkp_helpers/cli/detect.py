"""``fkp detect``: the 15 keypoints of every face in a photo, drawn on it and
(optionally) saved as JSON.

:func:`add_commands` registers the command on ``fkp``'s sub-parsers. Problems
the user can fix raise :class:`~fkp_helpers.cli.errors.CommandError`, which ``fkp``
prints on one line (exit 2). TensorFlow is imported only once a face has been
found, to load the model: the run folder given with ``--model``, else the package's
pretrained ``cnn`` (:mod:`fkp_helpers.nn.pretrained`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..keypoints import keypoint_index
from .argtypes import positive_int
from .errors import CommandError

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np

    from ..photo import FaceKeypoints

EXIT_OK = 0


def add_commands(subparsers: Any) -> None:
    """Register ``detect`` on ``subparsers`` (from
    ``ArgumentParser.add_subparsers``)."""
    detect = subparsers.add_parser(
        "detect",
        help="find the faces in a photo and draw their 15 keypoints",
        description="Find frontal faces with OpenCV's Haar cascade, crop each to 96x96 "
        "grayscale, predict its keypoints (with a run from `fkp train`, or the "
        "package's pretrained cnn) and draw them on the photo, in the photo's own "
        "pixels.",
    )
    detect.add_argument(
        "image",
        type=Path,
        metavar="IMAGE",
        help="the photo (JPEG, PNG, … anything OpenCV reads)",
    )
    detect.add_argument(
        "--model",
        type=Path,
        default=None,
        metavar="RUN_DIR",
        help="run folder from `fkp train` (default: the package's pretrained cnn, "
        "trained on the stand-in only)",
    )
    detect.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="PNG",
        help="annotated copy of the photo to write",
    )
    detect.add_argument(
        "--json",
        type=Path,
        default=None,
        metavar="FILE",
        help='also write {"faces": [{"box": [x, y, w, h], '
        '"keypoints": {name: [x, y]}}]} here',
    )
    detect.add_argument(
        "--max-faces",
        type=positive_int,
        default=None,
        metavar="N",
        help="keep only the N largest faces (the detector sometimes finds faces in "
        "patterns)",
    )
    detect.set_defaults(handler=run_detect)


def run_detect(args: argparse.Namespace) -> int:
    """``fkp detect``: read the photo, find faces, predict, write the annotated PNG (and
    JSON), print each face."""
    from ..photo import (
        can_hold_a_face,
        detect_keypoints,
        draw_keypoints,
        find_faces,
        points_json,
        read_image,
        smallest_face_px,
        to_gray,
        write_json,
        write_png,
    )

    _check_output(args.out, args.image, suffix=".png")
    if args.json is not None:
        _check_output(args.json, args.image, suffix=".json")
    image = read_image(args.image)
    if not can_hold_a_face(image.shape):
        height, width = image.shape[:2]
        smallest = smallest_face_px(image.shape)
        raise CommandError(
            f"{args.image}: image is {width}x{height} px, too small or too narrow to "
            f"hold a face (the detector finds faces of at least {smallest} px in it)"
        )
    boxes = find_faces(to_gray(image))
    if not boxes:
        raise CommandError(
            f"{args.image}: no face found by OpenCV's frontal-face Haar cascade; use a "
            "frontal photo where the face is at least "
            f"{smallest_face_px(image.shape)} px wide"
        )
    if args.max_faces is not None:
        boxes = boxes[: args.max_faces]

    faces = detect_keypoints(image, _predictor(args.model), boxes)
    for number, face in enumerate(faces, start=1):
        print(_describe(number, face))
    write_png(args.out, draw_keypoints(image, faces))
    written = [str(args.out)]
    if args.json is not None:
        write_json(args.json, points_json(faces))
        written.append(str(args.json))
    print(f"Wrote {' and '.join(written)}")
    return EXIT_OK


def _predictor(run_dir: Path | None) -> Callable[[np.ndarray], np.ndarray]:
    """``predict_px`` of the run in ``run_dir``, or (``None``) of the package's
    pretrained model, which one line names."""
    if run_dir is not None:
        from ..nn.training import load_run

        return load_run(run_dir).predict_px
    from ..nn.pretrained import load_pretrained

    pretrained = load_pretrained()
    print(f"Using {pretrained.label}; pass --model RUN_DIR for a network you trained")
    return pretrained.predict_px


def _check_output(path: Path, image: Path, *, suffix: str) -> None:
    """One-line errors before any work: wrong suffix, missing folder, or the input photo
    itself."""
    if path.suffix.lower() != suffix:
        raise CommandError(f"{path}: expected a file name ending in {suffix}")
    if not path.parent.is_dir():
        raise CommandError(f"{path.parent}: no such folder to write {path.name} into")
    if path.is_dir():
        raise CommandError(f"{path}: is a folder")
    if path.exists() and image.exists() and path.samefile(image):
        raise CommandError(f"{path}: is the input photo; choose another name")


def _describe(number: int, face: FaceKeypoints) -> str:
    """``face 1: box 155,105 222x222 px; left eye (305.1, 186.0), right eye (…),
    nose tip (…), bottom lip (…)``."""
    points = face.keypoints_px.reshape(-1, 2)

    def at(name: str) -> str:
        x, y = points[keypoint_index(name)]
        return f"({x:.1f}, {y:.1f})"

    box = face.box
    return (
        f"face {number}: box {box.x},{box.y} {box.w}x{box.h} px; "
        f"left eye {at('left_eye_center')}, right eye {at('right_eye_center')}, "
        f"nose tip {at('nose_tip')}, bottom lip {at('mouth_center_bottom_lip')}"
    )
