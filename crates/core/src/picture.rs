//! Pictures of an output: the tutorial's grey banding, a colour palette, and
//! a map of where a step differs from the oracle.

use std::path::Path;

use image::{ImageFormat, Rgb, RgbImage};

use crate::error::Error;
use crate::oracle::escapes_at_once;
use crate::output::OutputFile;
use crate::problem::Problem;

/// How escape iterations become colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Palette {
    /// The tutorial's picture: each count times 8, wrapped to a byte, as grey.
    Grey,
    /// Black for the set, a blue-white-orange ramp for escape speed.
    Colour,
}

/// Draws `output` (one count per point of `problem`), top row at the top.
pub fn render(problem: &Problem, output: &[u32], palette: Palette) -> RgbImage {
    let maxiter = problem.maxiter;
    pixels(problem, |index| {
        let count = output.get(index).copied().unwrap_or(0);
        match palette {
            Palette::Grey => {
                // The tutorial multiplied by 8 and let the byte wrap.
                let grey = count.wrapping_mul(8) as u8;
                Rgb([grey, grey, grey])
            }
            Palette::Colour => {
                let escaped = count > 0 || escapes_at_once(problem.points[index]);
                if escaped {
                    ramp(count, maxiter)
                } else {
                    Rgb([0, 0, 0])
                }
            }
        }
    })
}

/// Where `output` differs from the oracle: red on a dimmed grey picture.
pub fn differences(problem: &Problem, output: &[u32]) -> RgbImage {
    let oracle = problem.oracle();
    pixels(problem, |index| {
        let want = oracle[index];
        if output.get(index) == Some(&want) {
            let grey = want.wrapping_mul(8) as u8 / 3;
            Rgb([grey, grey, grey])
        } else {
            Rgb([255, 32, 32])
        }
    })
}

/// The least width a picture for the attendee is drawn at: a self-check's
/// grid is 50 points wide, too small to see a point in.
pub const LEAST_WIDTH: u32 = 400;

/// `image` scaled up by a whole factor, each point a square, until it is at
/// least `width` pixels wide.
pub fn enlarged(image: RgbImage, width: u32) -> RgbImage {
    let factor = width.div_ceil(image.width().max(1));
    if factor <= 1 {
        return image;
    }
    image::imageops::resize(
        &image,
        image.width() * factor,
        image.height() * factor,
        image::imageops::FilterType::Nearest,
    )
}

fn pixels(problem: &Problem, colour: impl Fn(usize) -> Rgb<u8>) -> RgbImage {
    let (cols, rows) = (problem.cols() as u32, problem.rows() as u32);
    RgbImage::from_fn(cols, rows, |x, y| {
        colour(y as usize * cols as usize + x as usize)
    })
}

/// Slow escapes bright, fast ones dark: a logarithmic ramp through blue,
/// white and orange.
fn ramp(count: u32, maxiter: u32) -> Rgb<u8> {
    const STOPS: [[f64; 3]; 5] = [
        [0.0, 7.0, 100.0],
        [32.0, 107.0, 203.0],
        [237.0, 255.0, 255.0],
        [255.0, 170.0, 0.0],
        [80.0, 2.0, 0.0],
    ];
    let t = (f64::from(count) + 1.0).ln() / (f64::from(maxiter) + 1.0).ln();
    let scaled = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let lower = (scaled.floor() as usize).min(STOPS.len() - 2);
    let frac = scaled - lower as f64;
    let channel = |c: usize| {
        let value = STOPS[lower][c] + (STOPS[lower + 1][c] - STOPS[lower][c]) * frac;
        value.round() as u8
    };
    Rgb([channel(0), channel(1), channel(2)])
}

/// Writes `image` as a PNG into a claimed output file.
pub fn save_png(image: &RgbImage, file: OutputFile) -> Result<std::path::PathBuf, Error> {
    file.write_with(|w| {
        let mut encoded = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut encoded, ImageFormat::Png)
            .map_err(std::io::Error::other)?;
        std::io::Write::write_all(w, encoded.get_ref())
    })
}

/// Claims `path` and writes `image` there as a PNG.
pub fn write_png(image: &RgbImage, path: &Path) -> Result<std::path::PathBuf, Error> {
    save_png(image, OutputFile::create(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_have_the_grid_shape_and_show_differences() {
        let p = Problem::new(28, 100).unwrap();
        let grey = render(&p, p.oracle(), Palette::Grey);
        assert_eq!((grey.width(), grey.height()), (15, 14));
        let colour = render(&p, p.oracle(), Palette::Colour);
        // The centre of this grid is in the set: black.
        assert!(colour.pixels().any(|px| *px == Rgb([0, 0, 0])));

        let mut wrong = p.oracle().to_vec();
        wrong[2 * p.cols() + 5] += 1;
        let map = differences(&p, &wrong);
        let red: Vec<_> = map
            .enumerate_pixels()
            .filter(|(_, _, px)| **px == Rgb([255, 32, 32]))
            .map(|(x, y, _)| (x, y))
            .collect();
        assert_eq!(red, vec![(5, 2)]);
    }

    #[test]
    fn png_round_trips() {
        let p = Problem::new(16, 50).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.png");
        write_png(&render(&p, p.oracle(), Palette::Grey), &path).unwrap();
        let back = image::open(&path).unwrap();
        assert_eq!((back.width(), back.height()), (8, 9));
    }
}
