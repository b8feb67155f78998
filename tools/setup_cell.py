# Setup, the same in every chapter. It makes the course's `lib` importable: locally,
# in the tests, in the book build, and on Colab, where it installs the course package
# from the course repository (Colab's own torch is kept).
import importlib
import importlib.util
import os
import subprocess
import sys

# The course repository: set in _config.yml, copied here by `tools/course.py sync`.
COURSE_REPOSITORY = "{repository_url}"
COURSE_BRANCH = "{branch}"
try:
    import lib
except ModuleNotFoundError:
    spec = importlib.util.find_spec
    on_colab = spec("google") is not None and spec("google.colab") is not None
    source = os.environ.get("COURSE_LIB_SOURCE")
    if not (on_colab or source):
        message = "`lib` is not installed: see the README's Quick start"
        raise ModuleNotFoundError(message) from None
    source = source or f"git+{{COURSE_REPOSITORY}}@{{COURSE_BRANCH}}"
    if "SET-ON-PUBLISH" in source:  # the placeholder of an unpublished copy: no repository to install from
        message = ("this copy of the course names no published repository (its setup cell still holds the "
                   "placeholder SET-ON-PUBLISH), so `lib` cannot be installed from it: open the chapter from "
                   "the published book, or install `lib` by hand in a new cell with `%pip install "
                   "git+https://github.com/OWNER/NAME` (the course's repository) and run this cell again")
        raise ModuleNotFoundError(message) from None
    pip_install = [sys.executable, "-m", "pip", "install", "--quiet"]
    if subprocess.run([*pip_install, source]).returncode != 0:
        message = f"pip could not install `lib` from {{source}} (its message is above)"
        raise ModuleNotFoundError(message) from None
    importlib.invalidate_caches()
    import lib

import matplotlib.pyplot as plt
import numpy as np
import torch

lib.plot.set_style()
device = lib.env.get_device()
lib.env.seed_everything(0)
print(lib.env.environment_summary(device))
