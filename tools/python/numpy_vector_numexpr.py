"""The tutorial's numpy_vector_numexpr: the same vector statements through
numexpr.evaluate, which fuses each into one blocked, multi-threaded pass."""
from common import arguments, need, points, run

np = need("numpy", "pip install numpy")
ne = need("numexpr", "pip install numexpr")


def calculate_z(q, maxiter):
    q = np.array(q, dtype=np.complex128)
    z = np.zeros(q.shape, np.complex128)
    output = np.zeros(q.shape, np.int32)
    for iteration in range(maxiter):
        z = ne.evaluate("z*z + q")
        # numexpr's abs of a complex is a complex: compare its real part.
        done = ne.evaluate("real(abs(z)) > 2.0")
        q = ne.evaluate("where(done, 0+0j, q)")
        z = ne.evaluate("where(done, 0+0j, z)")
        output = ne.evaluate("where(done, iteration, output)")
    return output


if __name__ == "__main__":
    w, maxiter = arguments()
    run(calculate_z, points(w), maxiter)
