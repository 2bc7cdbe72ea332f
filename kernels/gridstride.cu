// The tutorial's SourceModule kernel: a fixed launch shape (its grid of 400
// blocks of 512 threads by default) walks over every point, each thread
// taking every (blocks x threads)-th one. The launch shape no longer has to
// match the problem's size: `--grid` and `--block` set it.
#include "mandel.cuh"

extern "C" __global__ void calculate_z_gridstride(const real *q_re, const real *q_im,
                                                  unsigned int *output, unsigned int n,
                                                  unsigned int maxiter) {
    unsigned int stride = blockDim.x * gridDim.x;
    for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        output[i] = mandel_escape_iteration(q_re[i], q_im[i], maxiter);
    }
}
