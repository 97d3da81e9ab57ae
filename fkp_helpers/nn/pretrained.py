"""The pretrained model the package ships: the book's ``cnn``, trained on generated
faces alone.

It lets ``fkp detect photo.jpg`` (without ``--model``) and the chapters opened
alone (in Colab) show keypoints before anything has been trained. It was never
shown a real face nor any of Kaggle's data: it learnt from :data:`RECIPE`'s
generated faces, all 15 keypoints labelled, half the stand-in's painted faces
and half lit 3D faces (:mod:`fkp_helpers.standin.lit_faces`), which brought it
closer to real photos than the painted faces alone. ``benchmarks/real_faces.py``
measures it on real faces; :func:`fkp_helpers.nn.augment.augment_batch` made
that score worse in the runs measured so far (``benchmarks/results/
measurements.md``), so the recipe leaves it off.

Package data (``fkp_helpers/pretrained/``): ``cnn.keras`` (the float32
network, no optimizer state, about 1 MB) and ``cnn.json`` (the recipe, the
stand-in's and the lit faces' versions, the SHA-256 of the training images and
keypoints, the validation and test RMSE, the software and the date). One
command trains it afresh and rewrites both (``make pretrained``, about 20 minutes
on 2 CPU cores)::

    python -m fkp_helpers.nn.pretrained
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_path, atomic_write
from ..errors import RunError
from ..metrics import rmse_px
from .models import get_spec
from .tensorflow_setup import keras, tf
from .training import TrainConfig, predict_px, train

PACKAGE_FOLDER = Path(__file__).resolve().parents[1] / "pretrained"
MODEL_FILE = PACKAGE_FOLDER / "cnn.keras"
RECORD_FILE = PACKAGE_FOLDER / "cnn.json"
RECORD_KEYS = ("model", "recipe", "standin_version", "training_data_sha256")
"""Keys ``cnn.json`` must have (it also records metrics, software and date)."""


@dataclass(frozen=True)
class Recipe:
    """What the shipped model is trained on and how.

    ``faces`` generated faces, every keypoint labelled: a ``lit_share`` of them
    lit 3D faces (:func:`fkp_helpers.standin.lit_faces.render_faces`), the rest
    the stand-in's painted ones (:func:`fkp_helpers.standin.faces.render_faces`),
    both with ``seed``; ``epochs`` of the ``cnn`` defaults (batches of 64,
    AdamW + cosine, flips), with :mod:`~fkp_helpers.nn.augment` if ``augment``;
    a seeded ``valid_fraction`` of the faces validates; ``test_faces`` other
    faces of each kind (:data:`TEST_STREAM`) give the test RMSEs.
    """

    faces: int = 20_000
    lit_share: float = 0.5
    seed: int = 1
    epochs: int = 20
    valid_fraction: float = 0.05
    test_faces: int = 1000
    augment: bool = False


RECIPE = Recipe()
TEST_STREAM = 1
"""Stream of ``render_faces`` the test faces come from (training uses stream 0)."""


@dataclass(frozen=True)
class PretrainedModel:
    """The shipped network, loaded in float32, and its ``record`` (``cnn.json``)."""

    model: keras.Model
    record: dict[str, Any]

    @property
    def label(self) -> str:
        """One line for output: what this model is and what it learnt from."""
        recipe, version = self.record["recipe"], self.record["standin_version"]
        kinds = f"stand-in v{version}"
        if recipe.get("lit_share"):
            kinds += f" and lit v{self.record['lit_faces_version']}"
        return (
            f"the package's pretrained cnn ({recipe['faces']} generated faces: "
            f"{kinds}; no real face)"
        )

    def predict_px(self, images: np.ndarray) -> np.ndarray:
        """Keypoints ``(N, 30)`` float32 in pixels for ``images`` ``(N, 96, 96, 1)``
        float32 in [0, 1] (flip-averaged)."""
        return predict_px(self.model, get_spec("cnn"), images, flip_average=True)


def load_pretrained() -> PretrainedModel:
    """The model in the package; :class:`~fkp_helpers.errors.RunError` if its files are
    missing or unreadable."""
    for path in (MODEL_FILE, RECORD_FILE):
        if not path.is_file():
            raise RunError(
                "missing from the package",
                path=path,
                fix="reinstall fkp-helpers, or run `make pretrained` in a checkout",
            )
    fix = "reinstall fkp-helpers, or run `make pretrained` in a checkout"
    model = get_spec("cnn").build("float32")
    try:
        model.load_weights(MODEL_FILE)
    except Exception as error:  # Keras raises many types for a broken file
        raise RunError(
            f"unreadable ({type(error).__name__})", path=MODEL_FILE, fix=fix
        ) from None
    try:
        record = json.loads(RECORD_FILE.read_text(encoding="utf-8"))
        missing = [key for key in RECORD_KEYS if key not in record]
    except (ValueError, TypeError) as error:
        raise RunError(
            f"unreadable ({type(error).__name__})", path=RECORD_FILE, fix=fix
        ) from None
    if missing:
        raise RunError(f"lacks {', '.join(missing)}", path=RECORD_FILE, fix=fix)
    return PretrainedModel(model=model, record=record)


def training_data(
    recipe: Recipe = RECIPE, *, stream: int = 0, lit: bool | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The recipe's faces: images ``(N, 96, 96, 1)`` float32 in [0, 1], keypoints
    ``(N, 30)`` px; painted faces first, then lit ones, ``lit_share`` of them.
    ``stream=TEST_STREAM`` gives ``test_faces`` unseen ones; ``lit`` (True or
    False) only that kind."""
    from ..standin.dataset import render_in_parallel

    total = recipe.faces if stream == 0 else recipe.test_faces
    if lit is None:
        lit_count = round(total * recipe.lit_share)
    else:
        lit_count = total if lit else 0
    parts = [
        render_in_parallel(count, seed=recipe.seed, stream=stream, lit=kind)
        for count, kind in ((total - lit_count, False), (lit_count, True))
        if count
    ]
    images = np.concatenate([faces for faces, _ in parts])
    keypoints = np.concatenate([points for _, points in parts])
    return images[..., np.newaxis].astype(np.float32) / 255.0, keypoints


def fingerprint(images: np.ndarray, keypoints_px: np.ndarray) -> str:
    """SHA-256 of the training images (as uint8) and keypoints (float32)."""
    digest = hashlib.sha256()
    digest.update(np.rint(np.asarray(images) * 255).astype(np.uint8).tobytes())
    digest.update(np.ascontiguousarray(keypoints_px, dtype=np.float32).tobytes())
    return digest.hexdigest()


def train_pretrained(
    work_dir: Path, recipe: Recipe = RECIPE, *, verbose: int | str = 2
) -> PretrainedModel:
    """Train the recipe's model in ``work_dir`` and write it into the package (both
    files replaced atomically)."""
    from ..standin.dataset import STANDIN_VERSION
    from ..standin.lit_faces import LIT_FACES_VERSION

    images, keypoints = training_data(recipe)
    config = TrainConfig(
        "cnn",
        epochs=recipe.epochs,
        seed=recipe.seed,
        valid_fraction=recipe.valid_fraction,
        augment=recipe.augment,
    )
    result = train(images, keypoints, work_dir / "run", config, verbose=verbose)
    model = get_spec("cnn").build("float32")
    model.set_weights(result.model.get_weights())
    test_rmse = {}
    for lit in (False, True):
        test_images, test_keypoints = training_data(recipe, stream=TEST_STREAM, lit=lit)
        test_rmse[lit] = rmse_px(
            test_keypoints,
            predict_px(model, get_spec("cnn"), test_images, flip_average=True),
        )
    record = {
        "model": "cnn",
        "recipe": dataclasses.asdict(recipe),
        "standin_version": STANDIN_VERSION,
        "lit_faces_version": LIT_FACES_VERSION,
        "training_data_sha256": fingerprint(images, keypoints),
        "valid_rmse_px": result.metrics["valid_rmse_px"],
        "test_rmse_px": test_rmse[False],
        "test_rmse_px_lit": test_rmse[True],
        "test_faces": recipe.test_faces,
        "epochs_run": result.metrics["epochs_run"],
        "train_seconds": result.metrics["train_seconds"],
        "device": result.metrics["device"],
        "tensorflow_version": tf.__version__,
        "keras_version": keras.__version__,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "regenerate": "make pretrained  (python -m fkp_helpers.nn.pretrained)",
    }
    PACKAGE_FOLDER.mkdir(parents=True, exist_ok=True)
    with atomic_path(MODEL_FILE) as scratch:
        model.save(scratch)
    with atomic_write(RECORD_FILE, "w") as file:
        file.write(json.dumps(record, indent=2) + "\n")
    return PretrainedModel(model=model, record=record)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fkp_helpers.nn.pretrained",
        description="Train the package's pretrained cnn afresh and write it into "
        f"{PACKAGE_FOLDER}.",
    )
    parser.add_argument("--faces", type=int, default=RECIPE.faces)
    parser.add_argument("--epochs", type=int, default=RECIPE.epochs)
    parser.add_argument(
        "--augment", action=argparse.BooleanOptionalAction, default=RECIPE.augment
    )
    args = parser.parse_args(argv)
    recipe = dataclasses.replace(
        RECIPE, faces=args.faces, epochs=args.epochs, augment=args.augment
    )
    with tempfile.TemporaryDirectory(prefix="fkp-pretrained-") as work:
        pretrained = train_pretrained(Path(work), recipe)
    record = pretrained.record
    print(
        f"Wrote {MODEL_FILE} and {RECORD_FILE}: validation RMSE "
        f"{record['valid_rmse_px']:.2f} px after {record['epochs_run']} epochs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
