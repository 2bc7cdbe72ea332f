"""What every script here shares, as the 2011 tutorial's scripts did: the
grid (built by repeated float addition, exactly as the Rust steps build
it), the command line `W MAXITER`, and the lines they print.

Written for this workshop in Python 3; `workshop bench --python` runs them
beside the Rust steps with MANDEL_JSON=1 set, and reads the one JSON object
they then print last (never the lines a person reads).
"""
import json
import os
import sys
import time

# The grid is the one tools/tutorial_reference.py builds for the tests:
# one definition of the tutorial's axes.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tutorial_reference import axes  # noqa: E402


def points(w):
    """Every point as a complex, row-major from the top row."""
    xs, ys = axes(w)
    return [complex(x, y) for y in ys for x in xs]


def arguments():
    """`W MAXITER` from the command line (the tutorial's defaults)."""
    args = sys.argv[1:]
    if len(args) not in (0, 2) or not all(a.isdigit() and int(a) > 0 for a in args):
        sys.exit("usage: %s [W MAXITER] (whole numbers from 1)" % sys.argv[0])
    return (int(args[0]), int(args[1])) if args else (1000, 1000)


def need(module, install):
    """Imports `module`, or ends with one line saying how to get it."""
    try:
        return __import__(module)
    except ImportError:
        print("missing: %s (%s)" % (module, install))
        outcome(missing="%s (%s)" % (module, install))
        sys.exit(3)


def outcome(**fields):
    """The run as one JSON object, for the workshop, when it asks."""
    if os.environ.get("MANDEL_JSON") == "1":
        print(json.dumps(fields))


def run(calculate_z, q, maxiter):
    """Times calculate_z and prints what the tutorial's scripts printed."""
    print("Total elements:", len(q))
    start = time.perf_counter()
    output = calculate_z(q, maxiter)
    took = time.perf_counter() - start
    print("calculate_z took %.6f seconds" % took)
    print("Total sum of elements (for validation):", int(sum(output)))
    outcome(seconds=took, sum=int(sum(output)))
