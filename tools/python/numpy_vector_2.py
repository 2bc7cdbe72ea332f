"""The tutorial's numpy_vector_2.py: numpy_vector.py in blocks of
STEP_SIZE points, each block run to maxiter (the "Cache sizes" slide:
"Heuristic: Either keep it tiny (<64KB) or worry about really big data
sets (>20MB)")."""
from common import arguments, need, points, run
from numpy_vector import calculate_z as calculate_z_whole

np = need("numpy", "pip install numpy")

STEP_SIZE = 20000  # the tutorial's best block on its MacBook


def calculate_z(q, maxiter):
    q = np.array(q, dtype=np.complex128)
    output = np.zeros(q.shape, np.int32)
    for start in range(0, len(q), STEP_SIZE):
        block = slice(start, start + STEP_SIZE)
        output[block] = calculate_z_whole(q[block], maxiter)
    return output


if __name__ == "__main__":
    w, maxiter = arguments()
    run(calculate_z, points(w), maxiter)
