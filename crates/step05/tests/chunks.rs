//! "Check the sum is unchanged when chunks run in any order": the answer
//! must be the same for every thread count and every chunk count.

use std::path::Path;

use mandel_core::selfcheck::check_kernel;
use step05::{active, solution::chunk_ranges, with_threads, ACTIVE, STEP};

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
fn every_thread_and_chunk_count_gives_the_same_answer() {
    let pictures = Path::new(env!("CARGO_TARGET_TMPDIR"));
    for threads in [1, 2, 3] {
        for chunks in [1, 2, 7, 64, 1000] {
            let result = with_threads(Some(threads), || {
                check_kernel(&STEP, ACTIVE, pictures, &|p| {
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
