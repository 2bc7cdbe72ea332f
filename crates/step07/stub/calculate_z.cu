// Step 07, GPU: the tutorial's pyCUDA ElementwiseKernel, in CUDA C. The
// Rust side compiles this file at run time with NVRTC, copies the points
// to the GPU, launches one thread per point and copies the counts back.
// Core (everyone, 10 minutes): the kernel (hints 1-6), what each thread does:
//   1. find its point: i = blockIdx.x * blockDim.x + threadIdx.x;
//   2. return at once if i >= n (the last block runs past the end);
//   3. run step 02's loop for q = (q_re[i], q_im[i]) in `real`:
//      z = z*z + q written out, stop at the first iteration where
//      zr*zr + zi*zi > 4;
//   4. write that iteration to output[i], or 0 if it never escaped.
// Optional (if you finish early): `--emulate --precision f32` against f64,
// and `--variant gridstride` (the chapter's precision table and variants).
// kernels/mandel.cuh states the contract (what `real` is, what a count
// means). Replace the MANDEL_TODO line, then `cargo test -p step07`: with
// no GPU it checks your kernel compiled as C on the CPU. Stuck?
// `cargo run -- hint 7`, and docs/src/step07-gpu.md.
//
#include "mandel.cuh"

extern "C" __global__ void calculate_z(const real *q_re, const real *q_im, unsigned int *output,
                                       unsigned int n, unsigned int maxiter) {
    MANDEL_TODO(output);
}
