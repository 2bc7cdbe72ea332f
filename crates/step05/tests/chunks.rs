//! "Check the sum is unchanged when chunks run in any order": the answer
//! must be the same for every thread count and every chunk count.

use std::path::Path;

#[path = "../src/attendee.rs"]
mod attendee;

use attendee::{active, ACTIVE};
use mandel_core::selfcheck::check;
use step05::solution::{chunk_parts, chunk_ranges};
use step05::{with_threads, STEP};

#[test]
fn chunk_ranges_cover_every_point_once_in_order() {
    for (len, chunks) in [(10, 3), (10, 10), (10, 1), (7, 20), (1000, 64), (0, 4)] {
        let ranges = chunk_ranges(len, chunks);
        assert_eq!(ranges.len(), chunks.clamp(1, len.max(1)), "{len} {chunks}");
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        assert_eq!(ranges.last().map(|r| r.end), Some(len));
        assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        let (min, max) = ranges.iter().fold((usize::MAX, 0), |(lo, hi), r| {
            (lo.min(r.len()), hi.max(r.len()))
        });
        assert!(
            max - min <= 1,
            "{len} {chunks}: sizes differ by {}",
            max - min
        );
    }
}

#[test]
fn chunk_parts_are_the_ranges_own_parts_of_the_output() {
    for (len, chunks) in [(10, 3), (7, 20), (1000, 64), (0, 4)] {
        // Each part marked with its chunk's number shows which part is
        // whose: the marks must then read as the ranges say.
        let mut output: Vec<u32> = vec![u32::MAX; len];
        let parts = chunk_parts(&mut output, chunks);
        let ranges: Vec<_> = parts.iter().map(|(range, _)| range.clone()).collect();
        assert_eq!(ranges, chunk_ranges(len, chunks), "{len} {chunks}");
        for (number, (range, part)) in parts.into_iter().enumerate() {
            assert_eq!(part.len(), range.len());
            part.fill(number as u32);
        }
        for (number, range) in ranges.iter().enumerate() {
            assert!(output[range.clone()].iter().all(|&n| n == number as u32));
        }
    }
}

#[test]
fn every_thread_and_chunk_count_gives_the_same_answer() {
    let pictures = Path::new(env!("CARGO_TARGET_TMPDIR"));
    for threads in [1, 2, 3] {
        for chunks in [1, 2, 7, 64, 1000] {
            let result = with_threads(Some(threads), || {
                check(&STEP, ACTIVE, pictures, &|p| {
                    active::calculate_z_chunks(&p.re, &p.im, p.maxiter, chunks.min(p.len()))
                })
            })
            .unwrap();
            if let Err(sentence) = result {
                panic!("{threads} threads, {chunks} chunks: {sentence}");
            }
        }
    }
}

#[cfg(feature = "solution")]
#[test]
fn timed_chunks_give_the_same_answer_and_a_time_per_chunk() {
    let problem = mandel_core::Problem::new(300, 100).unwrap();
    let (output, times) = step05::timed_chunks(&problem.re, &problem.im, problem.maxiter, 16);
    assert_eq!(
        output,
        step05::solution::calculate_z(&problem.re, &problem.im, problem.maxiter)
    );
    assert_eq!(times.len(), 16);
    assert_eq!(times.iter().map(|t| t.points).sum::<usize>(), problem.len());
}

#[test]
fn the_chapter_describes_the_self_check_as_it_is_defined() {
    let described = step05::self_check_description();
    // The chapter's lines are wrapped: compare words.
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words(STEP.chapter).contains(&words(&described)),
        "docs/src/{} must say, in these words: {described}",
        STEP.chapter_file
    );
}
