#!/usr/bin/env python3
"""Independent reference for the workshop's tests: the tutorial's grid and
kernel, done with Python floats and complex numbers exactly as the 2011
scripts do them. Prints one line per size: w maxiter rows cols points sum.

    python3 tools/tutorial_reference.py 100 30 333 50 ...
"""
import sys

X1, X2, Y1, Y2 = -2.13, 0.77, -1.3, 1.3


def axes(w):
    h = w
    x_step = (float(X2 - X1) / float(w)) * 2
    y_step = (float(Y1 - Y2) / float(h)) * 2
    ys, xs = [], []
    y = Y2
    while y > Y1:
        ys.append(y)
        y += y_step
    x = X1
    while x < X2:
        xs.append(x)
        x += x_step
    return xs, ys


def escape_counts(q, maxiter):
    out = [0] * len(q)
    for i, c in enumerate(q):
        z = 0 + 0j
        for iteration in range(maxiter):
            z = z * z + c
            if abs(z) > 2.0:
                out[i] = iteration
                break
    return out


def main(args):
    if len(args) % 2:
        sys.exit("usage: tutorial_reference.py W MAXITER [W MAXITER ...]")
    for w, maxiter in zip(args[::2], args[1::2]):
        xs, ys = axes(int(w))
        q = [complex(x, y) for y in ys for x in xs]
        total = sum(escape_counts(q, int(maxiter)))
        print(w, maxiter, len(ys), len(xs), len(q), total)


if __name__ == "__main__":
    main(sys.argv[1:])
