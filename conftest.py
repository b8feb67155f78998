"""Every pytest run (lib's tests and nbval's notebook kernels, which inherit this environment) runs without progress
bars, so that notebook outputs compare equal to the committed ones however pytest is invoked."""

import os

os.environ.setdefault("COURSE_PROGRESS", "0")
