// pyCUDA's gpuarray, "numpy-like": every operation of numpy_vector.py is
// its own pass over whole arrays, one launch each, every iteration:
//     z = z*z + q           (square, then add)
//     done = abs(z) > 2     (escaped)
//     q = where(done, 0, q) (zero_where)
//     z = where(done, 0, z) (zero_where)
//     output = where(done, iteration, output) (record)
// No point stops early, and every pass reads and writes device memory: the
// step 03 lesson, on the GPU. Each thread handles one element.
#include "mandel.cuh"

#define MANDEL_ELEMENT(i, n)                               \
    unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; \
    if (i >= (n)) {                                         \
        return;                                             \
    }

// (t_re, t_im) = z*z, in Python's order.
extern "C" __global__ void square(const real *z_re, const real *z_im, real *t_re, real *t_im,
                                  unsigned int n) {
    MANDEL_ELEMENT(i, n);
    real zr = z_re[i], zi = z_im[i];
    t_re[i] = zr * zr - zi * zi;
    t_im[i] = 2 * zr * zi;
}

// z = t + q.
extern "C" __global__ void add(const real *t_re, const real *t_im, const real *q_re,
                               const real *q_im, real *z_re, real *z_im, unsigned int n) {
    MANDEL_ELEMENT(i, n);
    z_re[i] = t_re[i] + q_re[i];
    z_im[i] = t_im[i] + q_im[i];
}

// done = |z|^2 > 4.
extern "C" __global__ void escaped(const real *z_re, const real *z_im, unsigned char *done,
                                   unsigned int n) {
    MANDEL_ELEMENT(i, n);
    real zr = z_re[i], zi = z_im[i];
    done[i] = zr * zr + zi * zi > 4;
}

// (re, im) = where(done, 0, (re, im)).
extern "C" __global__ void zero_where(const unsigned char *done, real *re, real *im,
                                      unsigned int n) {
    MANDEL_ELEMENT(i, n);
    if (done[i]) {
        re[i] = 0;
        im[i] = 0;
    }
}

// output = where(done, iteration, output).
extern "C" __global__ void record(const unsigned char *done, unsigned int *output,
                                  unsigned int iteration, unsigned int n) {
    MANDEL_ELEMENT(i, n);
    if (done[i]) {
        output[i] = iteration;
    }
}
