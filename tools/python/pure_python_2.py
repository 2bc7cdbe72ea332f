"""The tutorial's pure_python_2.py: each point's z and q read into locals
once (its slide: "Dereferencing is slow")."""
from common import arguments, points, run


def calculate_z(q, maxiter):
    output = [0] * len(q)
    for i in range(len(q)):
        zi = 0 + 0j
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
