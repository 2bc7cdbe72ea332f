//! Line charts for the experiments, as PNG and SVG, drawn with plotters.
//! Text uses the DejaVu Sans font shipped in `assets/fonts`, so charts look
//! the same everywhere and need no system font library.

use std::path::PathBuf;
use std::sync::Once;

use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use mandel_core::error::Error;
use mandel_core::output::OutputFile;

/// One line on a chart.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed, in the colour of the solid series before it: a
    /// model beside the measurement it predicts.
    pub dashed: bool,
}

/// A labelled vertical line, e.g. where a block fills a cache.
#[derive(Debug, Clone)]
pub struct Marker {
    pub x: f64,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// A logarithmic x axis, for sizes spanning decades.
    pub log_x: bool,
    pub series: Vec<Series>,
    pub markers: Vec<Marker>,
}

const SIZE: (u32, u32) = (1000, 620);
const FONT: &str = "sans-serif";
const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(127, 127, 127),
    RGBColor(255, 127, 14),
];

fn register_font() {
    static FONT_ONCE: Once = Once::new();
    FONT_ONCE.call_once(|| {
        let bytes = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
        // The font is ours and known good; a failure would only lose text.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, bytes);
    });
}

impl Chart {
    /// The chart as PNG bytes.
    pub fn png(&self) -> Result<Vec<u8>, Error> {
        register_font();
        let mut pixels = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(drawing_failed)?;
        }
        let image = image::RgbImage::from_raw(SIZE.0, SIZE.1, pixels)
            .ok_or_else(|| drawing_failed("the pixel buffer has the wrong size"))?;
        let mut png = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut png, image::ImageFormat::Png)
            .map_err(drawing_failed)?;
        Ok(png.into_inner())
    }

    /// The chart as an SVG document.
    pub fn svg(&self) -> Result<String, Error> {
        register_font();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(drawing_failed)?;
        }
        Ok(svg)
    }

    /// Writes the chart into claimed PNG and SVG files.
    pub fn write(
        &self,
        png: Option<OutputFile>,
        svg: Option<OutputFile>,
    ) -> Result<Vec<PathBuf>, Error> {
        let mut written = Vec::new();
        if let Some(file) = png {
            let bytes = self.png()?;
            written.push(file.write_with(|w| std::io::Write::write_all(w, &bytes))?);
        }
        if let Some(file) = svg {
            let text = self.svg()?;
            written.push(file.write_with(|w| std::io::Write::write_all(w, text.as_bytes()))?);
        }
        Ok(written)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), Error> {
        root.fill(&WHITE).map_err(drawing_failed)?;
        // A chart travels without the table beside it: it names the
        // machine it was measured on under its title.
        let root = root
            .titled(&self.title, (FONT, 24))
            .map_err(drawing_failed)?
            .titled(&crate::machine::machine_line(), (FONT, 16))
            .map_err(drawing_failed)?;
        let xs = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0));
        let (mut x_lo, mut x_hi) =
            xs.fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
        if x_lo > x_hi {
            (x_lo, x_hi) = (1.0, 10.0);
        }
        let y_hi = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .fold(0.0f64, f64::max)
            * 1.15;
        let y_hi = if y_hi > 0.0 { y_hi } else { 1.0 };

        let mut builder = ChartBuilder::on(&root);
        builder
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(80);
        if self.log_x {
            let chart = builder
                .build_cartesian_2d((x_lo * 0.8..x_hi * 1.25).log_scale(), 0.0..y_hi)
                .map_err(drawing_failed)?;
            self.fill(chart, y_hi)
        } else {
            let pad = (x_hi - x_lo).max(1.0) * 0.05;
            let chart = builder
                .build_cartesian_2d(x_lo - pad..x_hi + pad, 0.0..y_hi)
                .map_err(drawing_failed)?;
            self.fill(chart, y_hi)
        }
    }

    /// The right-hand corner with fewer points under it, for the legend.
    fn legend_corner(&self, y_hi: f64) -> SeriesLabelPosition {
        let points = || self.series.iter().flat_map(|s| s.points.iter());
        let scale = |x: f64| {
            if self.log_x {
                x.max(f64::MIN_POSITIVE).ln()
            } else {
                x
            }
        };
        let (lo, hi) = points().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
            (lo.min(scale(p.0)), hi.max(scale(p.0)))
        });
        let right = points().filter(|p| scale(p.0) >= (lo + hi) / 2.0);
        let low = right.clone().filter(|p| p.1 < y_hi / 2.0).count();
        if low > right.count() - low {
            SeriesLabelPosition::UpperRight
        } else {
            SeriesLabelPosition::LowerRight
        }
    }

    fn fill<'a, DB, X>(
        &self,
        mut chart: ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>,
        y_hi: f64,
    ) -> Result<(), Error>
    where
        DB: DrawingBackend + 'a,
        X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .x_label_formatter(&|x| compact(*x))
            .y_desc(&self.y_label)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 18))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(drawing_failed)?;
        let (x_lo, x_hi) = (chart.x_range().start, chart.x_range().end);
        let visible = self.markers.iter().filter(|m| m.x >= x_lo && m.x <= x_hi);
        for marker in visible {
            let grey = RGBColor(150, 150, 150);
            chart
                .draw_series(LineSeries::new(
                    [(marker.x, 0.0), (marker.x, y_hi)],
                    grey.stroke_width(1),
                ))
                .map_err(drawing_failed)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    marker.label.clone(),
                    (marker.x, y_hi * 0.97),
                    (FONT, 15).into_font().color(&grey),
                )))
                .map_err(drawing_failed)?;
        }
        let mut colour_index = 0;
        for (i, series) in self.series.iter().enumerate() {
            if i > 0 && !series.dashed {
                colour_index += 1;
            }
            let colour = COLOURS[colour_index % COLOURS.len()];
            let points = series.points.iter().copied();
            let drawn = if series.dashed {
                chart.draw_series(DashedLineSeries::new(points, 8, 6, colour.stroke_width(2)))
            } else {
                chart.draw_series(LineSeries::new(points, colour.stroke_width(2)))
            };
            let dashed = series.dashed;
            drawn
                .map_err(drawing_failed)?
                .label(series.name.clone())
                .legend(move |(x, y)| {
                    let style = colour.stroke_width(2);
                    if dashed {
                        PathElement::new([(x, y), (x + 8, y)], style)
                    } else {
                        PathElement::new([(x, y), (x + 20, y)], style)
                    }
                });
            if !series.dashed {
                chart
                    .draw_series(
                        series
                            .points
                            .iter()
                            .map(|&p| Circle::new(p, 4, colour.filled())),
                    )
                    .map_err(drawing_failed)?;
            }
        }
        chart
            .configure_series_labels()
            .label_font((FONT, 16))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .position(self.legend_corner(y_hi))
            .draw()
            .map_err(drawing_failed)?;
        Ok(())
    }
}

/// Axis numbers without noise: `100`, `2.5`, `20k`, `1.5M`.
fn compact(x: f64) -> String {
    let (value, unit) = match x.abs() {
        a if a >= 1e6 => (x / 1e6, "M"),
        a if a >= 1e4 => (x / 1e3, "k"),
        _ => (x, ""),
    };
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{unit}")
}

/// A drawing library's failure: not the user's doing.
fn drawing_failed(e: impl std::fmt::Display) -> Error {
    Error::bug(format!("cannot draw the chart: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_numbers_are_compact() {
        assert_eq!(compact(100.0), "100");
        assert_eq!(compact(2.5), "2.5");
        assert_eq!(compact(20000.0), "20k");
        assert_eq!(compact(1_500_000.0), "1.5M");
        assert_eq!(compact(0.0), "0");
    }

    fn sample(log_x: bool) -> Chart {
        Chart {
            title: "test".into(),
            x_label: "block (points)".into(),
            y_label: "seconds".into(),
            log_x,
            series: vec![Series {
                name: "median".into(),
                points: vec![(100.0, 3.0), (1000.0, 1.0), (250000.0, 2.0)],
                dashed: false,
            }],
            markers: vec![
                Marker {
                    x: 1200.0,
                    label: "L1d".into(),
                },
                Marker {
                    x: 1e9,
                    label: "far away".into(),
                },
            ],
        }
    }

    #[test]
    fn charts_render_as_png_and_svg() {
        for log_x in [true, false] {
            let png = sample(log_x).png().unwrap();
            assert_eq!(&png[1..4], b"PNG");
            let svg = sample(log_x).svg().unwrap();
            assert!(svg.contains("<svg") && svg.contains("L1d") && svg.contains("median"));
            assert!(
                svg.contains(&crate::machine::machine_line()),
                "the chart names the machine"
            );
            assert!(
                !svg.contains("far away"),
                "markers off the axis are left out"
            );
        }
    }
}
