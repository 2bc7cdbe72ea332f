// The catalogue of wrong versions: each one edit of a step's solution,
// the kind of slip an attendee makes. Read by build.rs, which applies each
// to its solution (the edit must match exactly once, so the catalogue
// follows the solutions), and by the test, which checks every one fails
// the self-check with a line that says what to look at.

/// One wrong version of a solution.
pub struct Mutant {
    pub step: u32,
    /// What the mistake is, in a few words.
    pub name: &'static str,
    /// Text of the solution, found exactly once ...
    pub find: &'static str,
    /// ... and what it becomes.
    pub replace: &'static str,
    /// What the self-check must say (`wrong`, `wrong length`, `panics`,
    /// `never finishes`).
    pub verdict: &'static str,
}

pub const CATALOGUE: &[Mutant] = &[
    // Step 01: pure_python.py.
    Mutant {
        step: 1,
        name: "|z|^2 compared with 2",
        find: "if z[i].norm() > 2.0 {",
        replace: "if z[i].norm_sqr() > 2.0 {",
        verdict: "wrong",
    },
    Mutant {
        step: 1,
        name: "the count one too high",
        find: "output[i] = iteration;",
        replace: "output[i] = iteration + 1;",
        verdict: "wrong",
    },
    Mutant {
        step: 1,
        name: "counting from 1",
        find: "for iteration in 0..maxiter {",
        replace: "for iteration in 1..maxiter {",
        verdict: "wrong",
    },
    Mutant {
        step: 1,
        name: "no break after escaping",
        find: "                break;\n",
        replace: "",
        verdict: "wrong",
    },
    Mutant {
        step: 1,
        name: "output one short",
        find: "let mut output = vec![0; q.len()];",
        replace: "let mut output = vec![0; q.len() - 1];",
        verdict: "panics",
    },
    Mutant {
        step: 1,
        name: "a loop that stops only on escape",
        find: "        for iteration in 0..maxiter {\n            z[i] = z[i] * z[i] + q[i];\n            if z[i].norm() > 2.0 {\n                output[i] = iteration;\n                break;\n            }\n        }",
        replace: "        let mut iteration = 0;\n        while z[i].norm() <= 2.0 {\n            z[i] = z[i] * z[i] + q[i];\n            if z[i].norm() > 2.0 {\n                output[i] = iteration;\n            }\n            iteration += 1;\n        }",
        verdict: "never finishes",
    },
    // Step 02: the arithmetic written out, where its order is the lesson.
    Mutant {
        step: 2,
        name: "q added before the imaginary square",
        find: "let next_zr = zr * zr - zi * zi + qr;",
        replace: "let next_zr = zr * zr + qr - zi * zi;",
        verdict: "wrong",
    },
    Mutant {
        step: 2,
        name: "difference of squares",
        find: "let next_zr = zr * zr - zi * zi + qr;",
        replace: "let next_zr = (zr + zi) * (zr - zi) + qr;",
        verdict: "wrong",
    },
    Mutant {
        step: 2,
        name: "a fused multiply-add",
        find: "let next_zr = zr * zr - zi * zi + qr;",
        replace: "let next_zr = zr.mul_add(zr, -zi * zi) + qr;",
        verdict: "wrong",
    },
    Mutant {
        step: 2,
        name: "zi from the new zr",
        find: "                let next_zr = zr * zr - zi * zi + qr;\n                zi = 2.0 * zr * zi + qi;\n                zr = next_zr;",
        replace: "                zr = zr * zr - zi * zi + qr;\n                zi = 2.0 * zr * zi + qi;",
        verdict: "wrong",
    },
    Mutant {
        step: 2,
        name: "|z|^2 compared with 2",
        find: "if zr * zr + zi * zi > 4.0 {",
        replace: "if zr * zr + zi * zi > 2.0 {",
        verdict: "wrong",
    },
    Mutant {
        step: 2,
        name: "the count one too high",
        find: "return iteration;",
        replace: "return iteration + 1;",
        verdict: "wrong",
    },
    // Step 03: whole-array passes, no early exit.
    Mutant {
        step: 3,
        name: "q added before the imaginary square",
        find: "let next_r = r * r - i * i + qr[k];",
        replace: "let next_r = r * r + qr[k] - i * i;",
        verdict: "wrong",
    },
    Mutant {
        step: 3,
        name: "|z|^2 compared with 2",
        find: "let four = f64x8::splat(4.0);",
        replace: "let four = f64x8::splat(2.0);",
        verdict: "wrong",
    },
    Mutant {
        step: 3,
        name: "finished points' z not reset",
        find: "            zr[k] = done.select(f64x8::ZERO, next_r);\n            zi[k] = done.select(f64x8::ZERO, next_i);",
        replace: "            zr[k] = next_r;\n            zi[k] = next_i;",
        verdict: "wrong",
    },
    Mutant {
        step: 3,
        name: "the count one too high",
        find: "let now = f64x8::splat(f64::from(iteration));",
        replace: "let now = f64x8::splat(f64::from(iteration + 1));",
        verdict: "wrong",
    },
    Mutant {
        step: 3,
        name: "the padding lanes kept",
        find: "        .take(re.len())\n",
        replace: "",
        verdict: "wrong length",
    },
    // Step 04: fused, in registers, with an early exit.
    Mutant {
        step: 4,
        name: "|z|^2 compared with 2",
        find: "let four = self.simd.splat(4.0);",
        replace: "let four = self.simd.splat(2.0);",
        verdict: "wrong",
    },
    Mutant {
        step: 4,
        name: "a point that never escapes reads maxiter",
        find: "        *s = s.simd_eq(never).select(zero, *s);\n",
        replace: "",
        verdict: "wrong",
    },
    Mutant {
        step: 4,
        name: "a stretch counted one short",
        find: "let whole = simd.splat(f64::from(stretch));",
        replace: "let whole = simd.splat(f64::from(stretch - 1));",
        verdict: "wrong",
    },
    Mutant {
        step: 4,
        name: "lanes that escaped in the stretch counted as inside",
        find: "survived[v] = inside[v].select(survived[v] + whole, survived[v]);",
        replace: "survived[v] = alive[v].select(survived[v] + whole, survived[v]);",
        verdict: "wrong",
    },
    Mutant {
        step: 4,
        name: "the replay starts where the stretch ended",
        find: "            z.re = start_re;\n            z.im = start_im;\n",
        replace: "",
        verdict: "wrong",
    },
    // Step 05: chunks over rayon's threads.
    Mutant {
        step: 5,
        name: "the remainder's points dropped",
        find: "let size = base + usize::from(i < extra);",
        replace: "let size = base;",
        verdict: "wrong",
    },
    Mutant {
        step: 5,
        name: "overlapping chunks",
        find: "            start += size;\n",
        replace: "            start += base;\n",
        verdict: "wrong",
    },
    Mutant {
        step: 5,
        name: "the last chunk missing",
        find: "(0..chunks)",
        replace: "(0..chunks - 1)",
        verdict: "wrong",
    },
    Mutant {
        step: 5,
        name: "re passed for im",
        find: "calculate_z_blocks_into(&re[range.clone()], &im[range], maxiter, BLOCK, part)",
        replace: "calculate_z_blocks_into(&re[range.clone()], &re[range], maxiter, BLOCK, part)",
        verdict: "wrong",
    },
    Mutant {
        step: 5,
        name: "each part cut at its range's end, not its length",
        find: "split_at_mut(range.len())",
        replace: "split_at_mut(range.end)",
        verdict: "panics",
    },
    // Step 06: ranks, a static split and a task farm.
    Mutant {
        step: 6,
        name: "the last rank's band never gathered",
        find: "for rank in 1..comm.size() {",
        replace: "for rank in 1..comm.size() - 1 {",
        verdict: "wrong length",
    },
    Mutant {
        step: 6,
        name: "bands gathered in the wrong order",
        find: "for rank in 1..comm.size() {",
        replace: "for rank in (1..comm.size()).rev() {",
        verdict: "wrong",
    },
    Mutant {
        step: 6,
        name: "each rank computes another's band",
        find: "let mine = bands.get(comm.rank()).cloned().unwrap_or(0..0);",
        replace: "let mine = bands.get(comm.size() - 1 - comm.rank()).cloned().unwrap_or(0..0);",
        verdict: "wrong",
    },
    Mutant {
        step: 6,
        name: "the farm's chunks miss the last row",
        find: "let ranges = chunk_ranges(grid.row_count(), chunks);",
        replace: "let ranges = chunk_ranges(grid.row_count() - 1, chunks);",
        verdict: "wrong",
    },
    Mutant {
        step: 6,
        name: "workers never told to stop",
        find: "            comm.send(worker, &Message::Stop);\n",
        replace: "",
        verdict: "panics",
    },
    // Step 07: the CUDA C kernel, run on a GPU or emulated.
    Mutant {
        step: 7,
        name: "q added before the imaginary square",
        find: "real next_zr = zr * zr - zi * zi + qr;",
        replace: "real next_zr = zr * zr + qr - zi * zi;",
        verdict: "wrong",
    },
    Mutant {
        step: 7,
        name: "|z|^2 compared with 2",
        find: "if (zr * zr + zi * zi > 4) {",
        replace: "if (zr * zr + zi * zi > 2) {",
        verdict: "wrong",
    },
    Mutant {
        step: 7,
        name: "no bounds check",
        find: "    if (i >= n) {\n        return;\n    }\n",
        replace: "",
        verdict: "panics",
    },
    Mutant {
        step: 7,
        name: "no break after escaping",
        find: "            break;\n",
        replace: "",
        verdict: "wrong",
    },
    Mutant {
        step: 7,
        name: "zi from the new zr",
        find: "        real next_zr = zr * zr - zi * zi + qr;\n        zi = 2 * zr * zi + qi;\n        zr = next_zr;",
        replace: "        zr = zr * zr - zi * zi + qr;\n        zi = 2 * zr * zi + qi;",
        verdict: "wrong",
    },
];
