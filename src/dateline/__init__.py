"""Dateline: self-hosted live news coverage."""

import os

__version__ = "0.1.0"

# Sentence embeddings (stories) are numpy matrix products a few rows at a time. OpenBLAS
# starts a thread per core for each: on a busy machine they fight the server's own threads
# and an embedding takes ten times as long (bench/stories_speed.py). One thread each, unless
# the operator says otherwise; this must happen before numpy is first imported.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
