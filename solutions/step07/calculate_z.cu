// Step 07, GPU: the tutorial's pyCUDA ElementwiseKernel. One thread per
// point: the thread finds its point from its block and thread index, runs
// the whole loop for it, stops when it escapes, and writes one count.
// Thousands of threads run at once; a point that escapes early frees its
// thread's slot for another block.
#include "mandel.cuh"

extern "C" __global__ void calculate_z(const real *q_re, const real *q_im, unsigned int *output,
                                       unsigned int n, unsigned int maxiter) {
    unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    // The last block runs past the end when n is not a multiple of its size.
    if (i >= n) {
        return;
    }
    real qr = q_re[i], qi = q_im[i];
    real zr = 0, zi = 0;
    unsigned int escape = 0;
    for (unsigned int iteration = 0; iteration < maxiter; iteration++) {
        real next_zr = zr * zr - zi * zi + qr;
        zi = 2 * zr * zi + qi;
        zr = next_zr;
        if (zr * zr + zi * zi > 4) {
            escape = iteration;
            break;
        }
    }
    output[i] = escape;
}
