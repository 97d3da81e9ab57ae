"""Article A's own program, re-told in TensorFlow 1 style (``tf.compat.v1``).

The book compares its pipeline with "the article's way". This script is that
way, kept as close to article A's 2016 program as TensorFlow 2.20/2.21 allow:

* data: ``pandas.read_csv`` + ``dropna()`` (only rows with all 15 keypoints),
  ``np.fromstring(..., sep=' ') / 255`` per row, targets ``/ 96``; the first 100
  rows are the validation set;
* a graph built from placeholders: conv 3x3x32 → max-pool → conv 2x2x64 →
  max-pool → conv 2x2x128 → max-pool (convolutions ``VALID``, pools ``SAME``, so
  11*11*128 values), dense 500 → dense 500 → dropout (keep 0.5) → dense 30;
  weights truncated-normal (stddev 0.1), biases 0.1;
* RMSE loss, Adam 1e-3, batches of 64 fed through ``feed_dict`` in a Python
  loop, shuffled every epoch, early stopping with patience 10, a ``Saver`` that
  keeps the best model;
* prediction in batches of 64 over ``test.csv``, times 96, and a submission
  written by walking ``IdLookupTable.csv`` line by line.

Changes forced by Python 3 / TensorFlow 2, and nothing else: ``tf.compat.v1``
names, ``disable_eager_execution()``, ``list(range(...))`` for the shuffled
index, ``tf.nn.dropout(rate=1 - keep_prob)``, a ``Session`` instead of an
``InteractiveSession``, the lookup table's fourth (empty) ``Location`` field
ignored, and image ids looked up in ``test.csv`` instead of assuming
``ImageId - 1`` is the row (the same thing on Kaggle's files).

Added for the benchmarks: ``--data/--out/--epochs/--patience/--seed``, timers,
and ``OUT/timings.json``. Images per second count the training steps only (the
per-epoch shuffle and the ``feed_dict`` batches; not data loading, validation
or checkpointing), leaving out the first epoch, as ``fkp train`` does.

Usage::

    python benchmarks/article_a_tf1.py --data DIR --out OUT
        [--epochs 100] [--patience 10] [--seed 0]

``DIR`` holds ``training.csv``, ``test.csv`` and ``IdLookupTable.csv``; ``OUT``
receives ``submit.csv``, ``timings.json`` and the best model under ``model/``.
This file is a script, run in its own process: eager execution is switched
off for the whole process, which would break Keras code running beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_eager_execution()

VALIDATION_SIZE = 100  # the first 100 complete rows validate
EPOCHS = 100
BATCH_SIZE = 64
EARLY_STOP_PATIENCE = 10
LEARNING_RATE = 1e-3
KEEP_PROB = 0.5


# --- Data, the article's way -------------------------------------------------


def images(df: pd.DataFrame) -> np.ndarray:
    """The ``Image`` column as float64 (N, 96, 96, 1) in [0, 1]: one ``np.fromstring``
    per row, / 255."""
    df["Image"] = df["Image"].apply(lambda img: np.fromstring(img, sep=" ") / 255.0)
    return np.vstack(df["Image"]).reshape((-1, 96, 96, 1))


def input_data(csv_path: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``training.csv`` → ``X`` (N, 96, 96, 1), ``y`` float64 (N, 30) in [0, 1], the 30
    column names.

    Only rows with all 15 keypoints are kept (2140 of Kaggle's 7049).
    """
    df = pd.read_csv(csv_path)
    cols = list(df.columns[:-1])
    df = df.dropna()
    y = df[cols].values / 96.0  # targets scaled to [0, 1]
    return images(df), y, cols


def test_data(csv_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``test.csv`` → ``X`` (M, 96, 96, 1) and the ``ImageId`` column (M,)."""
    df = pd.read_csv(csv_path).dropna()
    return images(df), df["ImageId"].values


# --- The network -------------------------------------------------------------


def weight_variable(shape: list[int]) -> tf.Variable:
    return tf.Variable(tf.compat.v1.truncated_normal(shape, stddev=0.1))


def bias_variable(shape: list[int]) -> tf.Variable:
    return tf.Variable(tf.constant(0.1, shape=shape))


def conv2d(x: tf.Tensor, W: tf.Variable) -> tf.Tensor:
    return tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding="VALID")


def max_pool_2x2(x: tf.Tensor) -> tf.Tensor:
    return tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")


def model(
    x: tf.Tensor, y_: tf.Tensor, keep_prob: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """Article A's network: (N, 96, 96, 1) images → (N, 30) keypoints in [0, 1], and the
    RMSE loss."""
    W_conv1 = weight_variable([3, 3, 1, 32])
    b_conv1 = bias_variable([32])
    h_conv1 = tf.nn.relu(conv2d(x, W_conv1) + b_conv1)  # 94x94x32
    h_pool1 = max_pool_2x2(h_conv1)  # 47x47x32

    W_conv2 = weight_variable([2, 2, 32, 64])
    b_conv2 = bias_variable([64])
    h_conv2 = tf.nn.relu(conv2d(h_pool1, W_conv2) + b_conv2)  # 46x46x64
    h_pool2 = max_pool_2x2(h_conv2)  # 23x23x64

    W_conv3 = weight_variable([2, 2, 64, 128])
    b_conv3 = bias_variable([128])
    h_conv3 = tf.nn.relu(conv2d(h_pool2, W_conv3) + b_conv3)  # 22x22x128
    h_pool3 = max_pool_2x2(h_conv3)  # 11x11x128

    W_fc1 = weight_variable([11 * 11 * 128, 500])
    b_fc1 = bias_variable([500])
    h_pool3_flat = tf.reshape(h_pool3, [-1, 11 * 11 * 128])
    h_fc1 = tf.nn.relu(tf.matmul(h_pool3_flat, W_fc1) + b_fc1)

    W_fc2 = weight_variable([500, 500])
    b_fc2 = bias_variable([500])
    h_fc2 = tf.nn.relu(tf.matmul(h_fc1, W_fc2) + b_fc2)
    h_fc2_drop = tf.nn.dropout(h_fc2, rate=1.0 - keep_prob)

    W_fc3 = weight_variable([500, 30])
    b_fc3 = bias_variable([30])
    y_conv = tf.matmul(h_fc2_drop, W_fc3) + b_fc3
    rmse = tf.sqrt(tf.reduce_mean(tf.square(y_ - y_conv)))
    return y_conv, rmse


# --- Training, prediction and the submission --------------------------------


def train(sess, saver, save_path, ops, X, y, epochs, patience) -> dict:
    """The article's loop: shuffle, feed batches of 64, validate, keep the best, stop
    early.

    Returns what ``timings.json`` records about training (see :func:`throughput`).
    """
    x, y_, keep_prob, train_step, rmse = ops
    X_valid, y_valid = X[:VALIDATION_SIZE], y[:VALIDATION_SIZE]
    X_train, y_train = X[VALIDATION_SIZE:], y[VALIDATION_SIZE:]
    TRAIN_SIZE = X_train.shape[0]
    train_index = list(range(TRAIN_SIZE))

    best_validation_loss = 1000000.0
    current_epoch = 0
    epoch_seconds, epoch_cpu_seconds = (
        [],
        [],
    )  # training steps only: the shuffle and the batches of each epoch
    loop_started = time.perf_counter()
    print(f"begin training..., train dataset size:{TRAIN_SIZE}")
    for i in range(epochs):
        started, cpu_started = time.perf_counter(), time.process_time()
        random.shuffle(train_index)  # shuffle every epoch
        X_train, y_train = X_train[train_index], y_train[train_index]
        for j in range(0, TRAIN_SIZE, BATCH_SIZE):
            sess.run(
                train_step,
                feed_dict={
                    x: X_train[j : j + BATCH_SIZE],
                    y_: y_train[j : j + BATCH_SIZE],
                    keep_prob: KEEP_PROB,
                },
            )
        epoch_seconds.append(time.perf_counter() - started)
        epoch_cpu_seconds.append(time.process_time() - cpu_started)

        validation_loss = sess.run(
            rmse, feed_dict={x: X_valid, y_: y_valid, keep_prob: 1.0}
        )
        print(
            f"epoch {i} done! validation loss:{validation_loss * 96.0:.4f} px"
            f" ({TRAIN_SIZE / epoch_seconds[-1]:.1f} images/s)",
            flush=True,
        )
        if validation_loss < best_validation_loss:
            best_validation_loss = validation_loss
            current_epoch = i
            saver.save(sess, save_path)  # keep the best model so far
        elif (i - current_epoch) >= patience:
            print("early stopping")
            break

    return {
        "n_train": TRAIN_SIZE,
        "n_valid": int(X_valid.shape[0]),
        "epochs_run": len(epoch_seconds),
        "best_epoch": current_epoch + 1,
        "best_valid_rmse_px": float(best_validation_loss * 96.0),
        "train_seconds": time.perf_counter() - loop_started,
        **throughput(TRAIN_SIZE, epoch_seconds, epoch_cpu_seconds),
    }


def throughput(
    images_per_epoch: int, epoch_seconds: list[float], epoch_cpu_seconds: list[float]
) -> dict:
    """Training-step speed, counted the way ``fkp train`` counts it.

    ``images_per_second`` leaves out the first epoch (which pays for setting the
    graph up) unless it is the only one; ``images_per_second_all_epochs`` keeps
    it. ``images_per_cpu_second`` uses the process's CPU time over the same
    epochs, which other work on a shared machine disturbs less than wall time.
    ``train_seconds`` (set by :func:`train`) is the whole loop's wall time,
    validation and checkpoints included, like the time ``fkp train`` spends in ``fit``.
    """
    steady = slice(1, None) if len(epoch_seconds) > 1 else slice(None)
    images = images_per_epoch * len(epoch_seconds[steady])
    return {
        "images_per_second": images / sum(epoch_seconds[steady]),
        "images_per_second_all_epochs": images_per_epoch
        * len(epoch_seconds)
        / sum(epoch_seconds),
        "images_per_cpu_second": images / sum(epoch_cpu_seconds[steady]),
        "epoch_seconds": epoch_seconds,
        "epoch_cpu_seconds": epoch_cpu_seconds,
    }


def predict(sess, ops, X) -> np.ndarray:
    """Keypoints in pixels, (N, 30): batches of 64, dropout off, times 96."""
    x, _, keep_prob, y_conv = ops
    y_pred = []
    for j in range(0, X.shape[0], BATCH_SIZE):
        y_pred.extend(
            sess.run(y_conv, feed_dict={x: X[j : j + BATCH_SIZE], keep_prob: 1.0})
        )
    return np.array(y_pred) * 96


def write_submit_csv(
    out_path: Path, lookup_path: Path, y_pred_px, image_ids, keypoint_columns
) -> None:
    """Walk ``IdLookupTable.csv`` and write one ``RowId,Location`` line per lookup
    row."""
    keypoint_index = {name: i for i, name in enumerate(keypoint_columns)}
    image_index = {int(image_id): i for i, image_id in enumerate(image_ids)}
    tmp_path = out_path.with_name(f".{out_path.name}.tmp")
    try:
        with open(tmp_path, "w") as output_file, open(lookup_path) as id_lookup_table:
            output_file.write("RowId,Location\n")
            id_lookup_table.readline()  # header
            for line in id_lookup_table:
                RowId, ImageId, FeatureName = line.rstrip().split(",")[:3]
                feature_location = y_pred_px[image_index[int(ImageId)]][
                    keypoint_index[FeatureName]
                ]
                output_file.write(f"{RowId},{feature_location}\n")
        os.replace(tmp_path, out_path)
    finally:
        tmp_path.unlink(missing_ok=True)


def device_name() -> str:
    gpus = tf.config.list_physical_devices("GPU")
    return f"GPU ({len(gpus)})" if gpus else "CPU"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        required=True,
        help="folder with training.csv, test.csv, IdLookupTable.csv",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="folder for submit.csv, timings.json and model/",
    )
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--patience", type=int, default=EARLY_STOP_PATIENCE)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.patience < 1:
        parser.error("--epochs and --patience must be at least 1")
    args.out.mkdir(parents=True, exist_ok=True)
    random.seed(args.seed)
    tf.compat.v1.set_random_seed(args.seed)

    started = time.perf_counter()
    X, y, keypoint_columns = input_data(args.data / "training.csv")
    load_seconds = time.perf_counter() - started
    if len(X) <= VALIDATION_SIZE:
        parser.error(
            f"{args.data / 'training.csv'}: {len(X)} rows with all 15 keypoints; need "
            f"more than {VALIDATION_SIZE}"
        )

    x = tf.compat.v1.placeholder(tf.float32, shape=[None, 96, 96, 1])
    y_ = tf.compat.v1.placeholder(tf.float32, shape=[None, 30])
    keep_prob = tf.compat.v1.placeholder(tf.float32)
    y_conv, rmse = model(x, y_, keep_prob)
    train_step = tf.compat.v1.train.AdamOptimizer(LEARNING_RATE).minimize(rmse)
    saver = tf.compat.v1.train.Saver()
    save_path = str(args.out / "model" / "model")

    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        timings = train(
            sess,
            saver,
            save_path,
            (x, y_, keep_prob, train_step, rmse),
            X,
            y,
            args.epochs,
            args.patience,
        )
        steady = " (epochs after the first)" if timings["epochs_run"] > 1 else ""
        print(f"training: {timings['images_per_second']:.1f} images/s{steady}")

        saver.restore(sess, save_path)  # predict with the best model
        started = time.perf_counter()
        X_test, image_ids = test_data(args.data / "test.csv")
        y_pred_px = predict(sess, (x, y_, keep_prob, y_conv), X_test)
        predict_seconds = time.perf_counter() - started
    write_submit_csv(
        args.out / "submit.csv",
        args.data / "IdLookupTable.csv",
        y_pred_px,
        image_ids,
        keypoint_columns,
    )

    timings |= {
        "load_seconds": load_seconds,
        "predict_seconds": predict_seconds,
        "device": device_name(),
        "tensorflow": tf.__version__,
        "seed": args.seed,
    }
    tmp_path = args.out / ".timings.json.tmp"
    tmp_path.write_text(json.dumps(timings, indent=2) + "\n")
    os.replace(tmp_path, args.out / "timings.json")
    print(f"wrote {args.out / 'submit.csv'} and {args.out / 'timings.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
