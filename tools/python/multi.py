"""The tutorial's multiprocessing/multi.py: pure_python_2's loop over
chunks, one per CPU, in a pool of worker processes, joined in order."""
import multiprocessing

from common import arguments, points, run
from pure_python_2 import calculate_z as calculate_z_serial


def calculate_z_chunk(args):
    return calculate_z_serial(*args)


def calculate_z(q, maxiter):
    chunks = multiprocessing.cpu_count()
    size = -(-len(q) // chunks)
    work = [(q[i : i + size], maxiter) for i in range(0, len(q), size)]
    with multiprocessing.Pool() as pool:
        parts = pool.map_async(calculate_z_chunk, work).get()
    return [count for part in parts for count in part]


if __name__ == "__main__":
    w, maxiter = arguments()
    run(calculate_z, points(w), maxiter)
