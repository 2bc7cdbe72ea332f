"""The tutorial's numpy_loop: pure_python_2's loop, but over numpy arrays
element by element. Every q[i] read makes a numpy scalar, so numpy
without vectorising is no faster than plain Python (the tutorial's
lesson; Cython over the same arrays was its fix)."""
from common import arguments, need, points, run

np = need("numpy", "pip install numpy")


def calculate_z(q, maxiter):
    q = np.array(q, dtype=np.complex128)
    output = np.zeros(len(q), np.int32)
    for i in range(len(q)):
        zi = np.complex128(0)
        qi = q[i]
        for iteration in range(maxiter):
            zi = zi * zi + qi
            if abs(zi) > 2.0:
                output[i] = iteration
                break
    return output


if __name__ == "__main__":
    w, maxiter = arguments()
    run(calculate_z, points(w), maxiter)
