"""The neural networks, in TensorFlow and Keras: from the device plan to an exported
model.

* :mod:`~fkp_helpers.nn.tensorflow_setup` — import TensorFlow and Keras once, quietly;
* :mod:`~fkp_helpers.nn.devices` — which device trains, in which precision;
* :mod:`~fkp_helpers.nn.tf_data` — the ``tf.data`` pipeline with flip augmentation;
* :mod:`~fkp_helpers.nn.augment` — random framing, light, blur, noise and occlusion,
  keypoints moved along;
* :mod:`~fkp_helpers.nn.losses` — losses and a metric that skip missing keypoints;
* :mod:`~fkp_helpers.nn.models` — the three networks and their training defaults;
* :mod:`~fkp_helpers.nn.training` — ``fit`` into a resumable run folder, and loading
  runs;
* :mod:`~fkp_helpers.nn.run_cache` — runs kept between chapters (train once);
* :mod:`~fkp_helpers.nn.export` — a run saved for serving, as Keras and TFLite files;
* :mod:`~fkp_helpers.nn.pretrained` — the ``cnn`` the package ships, trained on the
  stand-in alone.

Importing this package imports nothing; each module but ``models`` and ``devices``
imports TensorFlow.
"""
