// The GPU's fused-multiply-add peak, measured as the CPU's is (workshop
// peak): every thread runs MANDEL_CHAINS independent chains of
// a = a*b + c, enough of them to hide the FMA unit's latency, so the count
// of flops (2 per FMA) over the kernel's time is the most this card does.
#include "mandel.cuh"

#define MANDEL_CHAINS 8

extern "C" __global__ void fma_peak(real *sink, unsigned int rounds, real b, real c) {
    real a[MANDEL_CHAINS];
    for (int k = 0; k < MANDEL_CHAINS; k++) {
        a[k] = (real)(threadIdx.x + k);
    }
    for (unsigned int round = 0; round < rounds; round++) {
#pragma unroll
        for (int k = 0; k < MANDEL_CHAINS; k++) {
            a[k] = fma(a[k], b, c);
        }
    }
    real total = 0;
    for (int k = 0; k < MANDEL_CHAINS; k++) {
        total += a[k];
    }
    // A store the compiler cannot prove dead, that never happens.
    if (total == (real)-1.5) {
        sink[blockIdx.x * blockDim.x + threadIdx.x] = total;
    }
}
