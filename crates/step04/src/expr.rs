//! The numexpr idea: compile a formula once, then evaluate it block by
//! block with block-sized temporaries, so that the interpreter's cost per
//! operation is shared by a whole block of points and the temporaries stay
//! in cache.
//!
//! `step04 --expr "z*z + c"` iterates `z = formula(z, c)` from z = 0 with
//! the tutorial's escape test and output. The grammar: `z`, `c` (or `q`),
//! numbers, `+`, `-`, `*`, unary `-`, `^` with a whole power from 1 to 16,
//! and parentheses.

use mandel_core::Error;
use wide::f64x8;

/// One instruction of a compiled formula, for a stack machine.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Z,
    C,
    Number(f64),
    Add,
    Sub,
    Mul,
    Neg,
}

/// A formula compiled to stack-machine instructions.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    text: String,
    program: Vec<Op>,
    depth: usize,
}

/// The deepest stack a formula may need.
const MAX_DEPTH: usize = 16;

/// `--expr`'s points per block by default: its temporaries, a few
/// vectors per instruction, then stay in the L1 cache.
pub const BLOCK: usize = 256;

impl Formula {
    /// Compiles `text`, or says in one line what is wrong with it.
    pub fn compile(text: &str) -> Result<Formula, Error> {
        let mut parser = Parser {
            text,
            chars: text.char_indices().peekable(),
            program: Vec::new(),
        };
        parser.sum()?;
        parser.skip_spaces();
        if let Some(&(at, ch)) = parser.chars.peek() {
            let what = match ch {
                '/' => "division is not supported".to_string(),
                _ => format!("unexpected '{ch}'"),
            };
            return Err(parser.error(at, &what));
        }
        let program = parser.program;
        let depth = stack_depth(&program);
        if depth > MAX_DEPTH {
            return Err(Error::mistake(format!(
                "cannot use formula '{text}': it nests deeper than {MAX_DEPTH} levels"
            )));
        }
        if !program.contains(&Op::Z) {
            return Err(Error::mistake(format!(
                "cannot use formula '{text}': it must use z, or nothing iterates"
            )));
        }
        Ok(Formula {
            text: text.trim().to_string(),
            program,
            depth,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether this is the tutorial's `z*z + c`, operation for operation,
    /// so the oracle applies.
    pub fn is_tutorials(&self) -> bool {
        self.program == [Op::Z, Op::Z, Op::Mul, Op::C, Op::Add]
    }

    /// The formula at one point, one operation at a time: the reference the
    /// vector evaluation is checked against.
    pub fn eval_scalar(&self, z: (f64, f64), c: (f64, f64)) -> (f64, f64) {
        let mut stack = [(0.0, 0.0); MAX_DEPTH];
        let mut top = 0;
        for op in &self.program {
            match *op {
                Op::Z => push(&mut stack, &mut top, z),
                Op::C => push(&mut stack, &mut top, c),
                Op::Number(x) => push(&mut stack, &mut top, (x, 0.0)),
                Op::Neg => stack[top - 1] = (-stack[top - 1].0, -stack[top - 1].1),
                binary => {
                    let (a, b) = (stack[top - 2], stack[top - 1]);
                    top -= 1;
                    stack[top - 1] = match binary {
                        Op::Add => (a.0 + b.0, a.1 + b.1),
                        Op::Sub => (a.0 - b.0, a.1 - b.1),
                        // Python's complex multiply, in its order.
                        _ => (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0),
                    };
                }
            }
        }
        stack[0]
    }

    /// The escape iteration of every point, one point at a time.
    pub fn calculate_z_scalar(&self, re: &[f64], im: &[f64], maxiter: u32) -> Vec<u32> {
        re.iter()
            .zip(im)
            .map(|(&cr, &ci)| {
                let mut z = (0.0, 0.0);
                for iteration in 0..maxiter {
                    z = self.eval_scalar(z, (cr, ci));
                    if z.0 * z.0 + z.1 * z.1 > 4.0 {
                        return iteration;
                    }
                }
                0
            })
            .collect()
    }

    /// The escape iteration of every point, numexpr style: `block` points
    /// at a time, each instruction applied to the whole block before the
    /// next.
    pub fn calculate_z(&self, re: &[f64], im: &[f64], maxiter: u32, block: usize) -> Vec<u32> {
        let vectors_per_block = block.max(1).div_ceil(LANES);
        let mut machine = Machine::new(self.depth, vectors_per_block);
        let mut output = Vec::with_capacity(re.len());
        for (re, im) in re
            .chunks(vectors_per_block * LANES)
            .zip(im.chunks(vectors_per_block * LANES))
        {
            output.extend(machine.run_block(&self.program, re, im, maxiter));
        }
        output
    }
}

const LANES: usize = 8;

/// Registers the size of a block: the stack machine's working memory.
struct Machine {
    /// `stack[level][vector]`: real and imaginary parts.
    stack_re: Vec<Vec<f64x8>>,
    stack_im: Vec<Vec<f64x8>>,
}

impl Machine {
    fn new(depth: usize, vectors: usize) -> Machine {
        Machine {
            stack_re: vec![vec![f64x8::ZERO; vectors]; depth],
            stack_im: vec![vec![f64x8::ZERO; vectors]; depth],
        }
    }

    fn run_block(&mut self, program: &[Op], re: &[f64], im: &[f64], maxiter: u32) -> Vec<u32> {
        let cr = to_vectors(re);
        let ci = to_vectors(im);
        let n = cr.len();
        let mut zr = vec![f64x8::ZERO; n];
        let mut zi = vec![f64x8::ZERO; n];
        let mut escaped_at = vec![f64x8::ZERO; n];
        let mut done = vec![f64x8::ZERO; n];
        let four = f64x8::splat(4.0);
        for iteration in 0..maxiter {
            self.evaluate(program, &zr, &zi, &cr, &ci);
            let now = f64x8::splat(f64::from(iteration));
            let mut all_done = true;
            for k in 0..n {
                zr[k] = self.stack_re[0][k];
                zi[k] = self.stack_im[0][k];
                let out = (zr[k] * zr[k] + zi[k] * zi[k]).simd_gt(four);
                escaped_at[k] = (out & !done[k]).select(now, escaped_at[k]);
                done[k] |= out;
                all_done &= done[k].all();
            }
            if all_done {
                break;
            }
        }
        escaped_at
            .iter()
            .flat_map(|v| v.to_array())
            .take(re.len())
            .map(|n| n as u32)
            .collect()
    }

    /// Runs the program over the block; the result is left at level 0.
    fn evaluate(&mut self, program: &[Op], zr: &[f64x8], zi: &[f64x8], cr: &[f64x8], ci: &[f64x8]) {
        let n = zr.len();
        let mut top = 0;
        for op in program {
            match *op {
                Op::Z | Op::C | Op::Number(_) => {
                    let (re, im) = (&mut self.stack_re[top][..n], &mut self.stack_im[top][..n]);
                    match *op {
                        Op::Z => {
                            re.copy_from_slice(zr);
                            im.copy_from_slice(zi);
                        }
                        Op::C => {
                            re.copy_from_slice(cr);
                            im.copy_from_slice(ci);
                        }
                        Op::Number(x) => {
                            re.fill(f64x8::splat(x));
                            im.fill(f64x8::ZERO);
                        }
                        _ => unreachable!("only pushes here"),
                    }
                    top += 1;
                }
                Op::Neg => {
                    for k in 0..n {
                        self.stack_re[top - 1][k] = -self.stack_re[top - 1][k];
                        self.stack_im[top - 1][k] = -self.stack_im[top - 1][k];
                    }
                }
                binary => {
                    let (lower_re, upper_re) = self.stack_re.split_at_mut(top - 1);
                    let (lower_im, upper_im) = self.stack_im.split_at_mut(top - 1);
                    let (a_re, a_im) = (&mut lower_re[top - 2], &mut lower_im[top - 2]);
                    let (b_re, b_im) = (&upper_re[0], &upper_im[0]);
                    for k in 0..n {
                        let (ar, ai, br, bi) = (a_re[k], a_im[k], b_re[k], b_im[k]);
                        (a_re[k], a_im[k]) = match binary {
                            Op::Add => (ar + br, ai + bi),
                            Op::Sub => (ar - br, ai - bi),
                            _ => (ar * br - ai * bi, ar * bi + ai * br),
                        };
                    }
                    top -= 1;
                }
            }
        }
    }
}

fn to_vectors(values: &[f64]) -> Vec<f64x8> {
    values
        .chunks(LANES)
        .map(|chunk| {
            // Padding escapes at once, so it never holds a block up.
            let mut lanes = [4.0; LANES];
            lanes[..chunk.len()].copy_from_slice(chunk);
            f64x8::from(lanes)
        })
        .collect()
}

fn push(stack: &mut [(f64, f64); MAX_DEPTH], top: &mut usize, value: (f64, f64)) {
    stack[*top] = value;
    *top += 1;
}

/// The stack a program needs at its deepest.
fn stack_depth(program: &[Op]) -> usize {
    let (mut now, mut deepest) = (0usize, 0usize);
    for op in program {
        match op {
            Op::Z | Op::C | Op::Number(_) => now += 1,
            Op::Neg => {}
            _ => now -= 1,
        }
        deepest = deepest.max(now);
    }
    deepest
}

/// A recursive-descent parser that emits stack-machine code as it goes.
struct Parser<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    program: Vec<Op>,
}

impl Parser<'_> {
    fn error(&self, at: usize, what: &str) -> Error {
        Error::mistake(format!(
            "cannot read formula '{}': {what} at position {} (use z, c, numbers, + - * ^ and parentheses)",
            self.text,
            at + 1
        ))
    }

    fn skip_spaces(&mut self) {
        while self.chars.next_if(|&(_, ch)| ch.is_whitespace()).is_some() {}
    }

    fn peek(&mut self) -> Option<(usize, char)> {
        self.skip_spaces();
        self.chars.peek().copied()
    }

    /// sum := product (('+' | '-') product)*
    fn sum(&mut self) -> Result<(), Error> {
        self.product()?;
        while let Some((_, op @ ('+' | '-'))) = self.peek() {
            self.chars.next();
            self.product()?;
            self.program.push(if op == '+' { Op::Add } else { Op::Sub });
        }
        Ok(())
    }

    /// product := unary ('*' unary)*
    fn product(&mut self) -> Result<(), Error> {
        self.unary()?;
        while let Some((_, '*')) = self.peek() {
            self.chars.next();
            self.unary()?;
            self.program.push(Op::Mul);
        }
        Ok(())
    }

    /// unary := '-' unary | power
    fn unary(&mut self) -> Result<(), Error> {
        if let Some((_, '-')) = self.peek() {
            self.chars.next();
            self.unary()?;
            self.program.push(Op::Neg);
            return Ok(());
        }
        self.power()
    }

    /// power := atom ('^' whole number)? — `z^3` is `z*z*z`, in that order.
    fn power(&mut self) -> Result<(), Error> {
        let start = self.program.len();
        self.atom()?;
        if let Some((at, '^')) = self.peek() {
            self.chars.next();
            let base = self.program[start..].to_vec();
            let exponent = match self.number()? {
                Some(x) if x.fract() == 0.0 && (1.0..=16.0).contains(&x) => x as usize,
                _ => return Err(self.error(at, "'^' needs a whole power from 1 to 16")),
            };
            for _ in 1..exponent {
                self.program.extend_from_slice(&base);
                self.program.push(Op::Mul);
            }
        }
        Ok(())
    }

    /// atom := number | 'z' | 'c' | 'q' | '(' sum ')'
    fn atom(&mut self) -> Result<(), Error> {
        let Some((at, ch)) = self.peek() else {
            return Err(self.error(self.text.len(), "the formula ends too soon"));
        };
        match ch {
            'z' | 'c' | 'q' => {
                self.chars.next();
                if let Some(&(_, next)) = self.chars.peek() {
                    if next.is_alphanumeric() || next == '_' {
                        return Err(self.error(at, "unknown name"));
                    }
                }
                self.program.push(if ch == 'z' { Op::Z } else { Op::C });
                Ok(())
            }
            '(' => {
                self.chars.next();
                self.sum()?;
                match self.peek() {
                    Some((_, ')')) => {
                        self.chars.next();
                        Ok(())
                    }
                    Some((at, _)) => Err(self.error(at, "expected ')'")),
                    None => Err(self.error(self.text.len(), "a '(' is never closed")),
                }
            }
            _ if ch.is_ascii_digit() || ch == '.' => {
                let x = self.number()?.expect("starts with a digit");
                self.program.push(Op::Number(x));
                Ok(())
            }
            '/' => Err(self.error(at, "division is not supported")),
            _ if ch.is_alphabetic() => Err(self.error(at, "unknown name")),
            _ => Err(self.error(at, &format!("unexpected '{ch}'"))),
        }
    }

    fn number(&mut self) -> Result<Option<f64>, Error> {
        let Some((start, _)) = self.peek() else {
            return Ok(None);
        };
        let mut end = start;
        while let Some(&(at, ch)) = self.chars.peek() {
            if ch.is_ascii_digit() || ch == '.' {
                end = at + ch.len_utf8();
                self.chars.next();
            } else {
                break;
            }
        }
        if end == start {
            return Ok(None);
        }
        self.text[start..end]
            .parse()
            .map(Some)
            .map_err(|_| self.error(start, "not a number"))
    }
}

// The step's machinery: tested with `--features solution`, not in the
// attendee's `cargo test -p stepNN`.
#[cfg(all(test, feature = "solution"))]
mod tests {
    use super::*;

    #[test]
    fn the_tutorials_formula_compiles_to_five_instructions() {
        let f = Formula::compile(" z*z + c ").unwrap();
        assert!(f.is_tutorials());
        assert_eq!(f.text(), "z*z + c");
        assert!(Formula::compile("z^2+q").unwrap().is_tutorials());
        assert!(!Formula::compile("z*z*z + c").unwrap().is_tutorials());
        assert!(!Formula::compile("c + z*z").unwrap().is_tutorials());
    }

    #[test]
    fn powers_expand_to_the_same_multiplies() {
        assert_eq!(
            Formula::compile("z^3 + c").unwrap().program,
            Formula::compile("z*z*z + c").unwrap().program
        );
    }

    #[test]
    fn scalar_evaluation_is_complex_arithmetic() {
        let f = Formula::compile("z*z*z + c - 2*(z - 0.5)").unwrap();
        let (z, c) = ((1.5, -0.5), (0.25, 2.0));
        // z^3 = (1.5 - 0.5i)^3 = 2.25 - 3.25i... computed by hand:
        // z^2 = 2 - 1.5i; z^3 = (2*1.5 - 1.5*0.5) + (2*-0.5 + -1.5*1.5)i = 2.25 - 3.25i
        // + c = 2.5 - 1.25i; 2*(z - 0.5) = 2 - 1i; result = 0.5 - 0.25i
        assert_eq!(f.eval_scalar(z, c), (0.5, -0.25));
        assert_eq!(
            Formula::compile("-z").unwrap().eval_scalar(z, c),
            (-1.5, 0.5)
        );
    }

    #[test]
    fn bad_formulas_get_one_clear_line() {
        for (text, expect) in [
            ("z*z +", "ends too soon"),
            ("z*z + x", "unknown name"),
            ("z*z + c)", "unexpected ')'"),
            ("(z*z + c", "never closed"),
            ("z / c", "division is not supported"),
            ("z^0 + c", "whole power from 1 to 16"),
            ("z^2.5 + c", "whole power from 1 to 16"),
            ("c*c", "must use z"),
            ("zz + c", "unknown name"),
            ("1..2 + z", "not a number"),
            ("", "ends too soon"),
            ("z $ c", "unexpected '$'"),
        ] {
            let err = Formula::compile(text).unwrap_err().to_string();
            assert!(err.contains(expect), "{text:?}: {err}");
            assert!(!err.contains('\n'), "{err}");
        }
        let deep = format!("{}z{}", "(z+".repeat(20), ")".repeat(20));
        assert!(Formula::compile(&deep)
            .unwrap_err()
            .to_string()
            .contains("deeper"));
    }

    #[test]
    fn vector_blocks_match_one_point_at_a_time() {
        let re: Vec<f64> = (0..203).map(|i| -2.0 + f64::from(i) * 0.0131).collect();
        let im: Vec<f64> = (0..203).map(|i| 1.1 - f64::from(i) * 0.0107).collect();
        for text in ["z*z + c", "z*z*z + c", "z^4 - z + c*0.5", "-(z*z) + c"] {
            let f = Formula::compile(text).unwrap();
            let scalar = f.calculate_z_scalar(&re, &im, 60);
            for block in [1, 8, 50, 4096] {
                assert_eq!(
                    f.calculate_z(&re, &im, 60, block),
                    scalar,
                    "{text}, block {block}"
                );
            }
        }
    }
}
