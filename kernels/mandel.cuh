// The contract every kernel of step 07 keeps. Every kernel file includes
// this header; the step compiles them at run time with NVRTC (or, with no
// GPU, as C++ for the self-check), so this file is read, not built.
//
// - `real` is double, or float when compiled with -DMANDEL_F32
//   (`--precision f32`): the points are the CPU steps' f64 grid, rounded.
// - The points arrive as two arrays, q_re and q_im, n of each, row-major
//   from the top row, exactly as the CPU steps lay them out.
// - output[i] is the 0-based iteration at which point i escaped
//   (|z|^2 > 4), or 0 if it never did within maxiter iterations.
// - One iteration is the tutorial's z = z*z + q in Python's order:
//   re = zr*zr - zi*zi + qr, im = 2*zr*zi + qi. Compiled with
//   --fmad=false it is the oracle's arithmetic bit for bit in double.
#ifndef MANDEL_CUH
#define MANDEL_CUH

#ifdef MANDEL_F32
typedef float real;
#else
typedef double real;
#endif

// What the shipped stub writes: a count no kernel can produce (counts are
// below maxiter), so the host can tell an unwritten kernel from a wrong one.
#define MANDEL_UNWRITTEN 0xFFFFFFFFu

// The stub's whole body: thread 0 marks the answer as not written yet.
#define MANDEL_TODO(output)                                  \
    do {                                                     \
        if (blockIdx.x == 0 && threadIdx.x == 0) {           \
            (output)[0] = MANDEL_UNWRITTEN;                  \
        }                                                    \
    } while (0)

// One point's escape iteration, for the kernels in kernels/. (The
// exercise writes this loop itself: writing it for the GPU is the lesson.)
__device__ __forceinline__ unsigned int mandel_escape_iteration(real qr, real qi,
                                                                unsigned int maxiter) {
    real zr = 0, zi = 0;
    for (unsigned int iteration = 0; iteration < maxiter; iteration++) {
        real next_zr = zr * zr - zi * zi + qr;
        zi = 2 * zr * zi + qi;
        zr = next_zr;
        if (zr * zr + zi * zi > 4) {
            return iteration;
        }
    }
    return 0;
}

#endif
