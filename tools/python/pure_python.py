"""The tutorial's pure_python.py: lists of complex numbers, z[i] and q[i]
indexed in the inner loop."""
from common import arguments, points, run


def calculate_z(q, maxiter):
    output = [0] * len(q)
    z = [0 + 0j] * len(q)
    for i in range(len(q)):
        for iteration in range(maxiter):
            z[i] = z[i] * z[i] + q[i]
            if abs(z[i]) > 2.0:
                output[i] = iteration
                break
    return output


if __name__ == "__main__":
    w, maxiter = arguments()
    run(calculate_z, points(w), maxiter)
