"""The tutorial's numpy_vector.py: whole-array operations each iteration,
no early exit; a finished point's z and q are zeroed."""
from common import arguments, need, points, run

np = need("numpy", "pip install numpy")


def calculate_z(q, maxiter):
    q = np.array(q, dtype=np.complex128)
    z = np.zeros(q.shape, np.complex128)
    output = np.zeros(q.shape, np.int32)
    for iteration in range(maxiter):
        z = z * z + q
        done = np.greater(abs(z), 2.0)
        q = np.where(done, 0 + 0j, q)
        z = np.where(done, 0 + 0j, z)
        output = np.where(done, iteration, output)
    return output


if __name__ == "__main__":
    w, maxiter = arguments()
    run(calculate_z, points(w), maxiter)
