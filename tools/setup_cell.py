# Setup, the same in every chapter: makes the course's `lib` importable here, in the tests, in the book build
# and on Colab, where it installs the course package from its repository and keeps Colab's own torch.
import importlib
import importlib.util
import os
import subprocess
import sys

COURSE_REPOSITORY = "{repository_url}"  # set in _config.yml, copied here by `python3 tools/course.py sync`
COURSE_BRANCH = "{branch}"
try:
    import lib
except ModuleNotFoundError:
    on_colab = importlib.util.find_spec("google") is not None and importlib.util.find_spec("google.colab") is not None
    source = os.environ.get("COURSE_LIB_SOURCE") or f"git+{{COURSE_REPOSITORY}}@{{COURSE_BRANCH}}"
    if not on_colab and "COURSE_LIB_SOURCE" not in os.environ:
        raise ModuleNotFoundError("`lib` is not installed: see the README's Quick start") from None
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", source], check=True)
    importlib.invalidate_caches()
    import lib

import matplotlib.pyplot as plt
import numpy as np
import torch

lib.plot.set_style()
device = lib.env.get_device()
lib.env.seed_everything(0)
print(lib.env.environment_summary(device))
