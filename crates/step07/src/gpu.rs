//! The GPU through cudarc's driver API: find it, compile for it, copy the
//! points over, launch, copy the counts back, and time each part with CUDA
//! events. Every failure is one line (an [`Error`]); cudarc panics in
//! some paths where a library is absent, so those are checked first.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use cudarc::driver::sys::{CUdevice_attribute, CUevent_flags, CUresult};
use cudarc::driver::{
    result, CudaContext, CudaFunction, CudaModule, CudaStream, DeviceRepr, DriverError,
    LaunchConfig, PushKernelArg, ValidAsZeroBits,
};
use cudarc::nvrtc::Ptx;
use mandel_core::problem::bytes_text;
use mandel_core::{Error, Problem, Unavailable};

use crate::nvrtc;
use crate::source::{Build, Precision, Source, ARRAYS, PEAK};
use crate::{GpuVariant, Settings};

/// The first GPU, with its stream and what it is.
pub struct Gpu {
    ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    /// `NVIDIA H100 80GB HBM3`.
    pub name: String,
    /// Compute capability, `(9, 0)`.
    pub capability: (i32, i32),
    max_threads_per_block: u32,
    multiprocessors: u32,
    /// Modules compiled so far, by source and build: NVRTC runs once each.
    modules: Mutex<Vec<(&'static str, Build, Arc<CudaModule>)>>,
}

/// The GPU's error in words: `CUDA_ERROR_OUT_OF_MEMORY (out of memory)`.
pub fn describe(error: DriverError) -> String {
    let name = error
        .error_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|_| format!("{:?}", error.0));
    match error.error_string() {
        Ok(text) => format!("{name} ({})", text.to_string_lossy()),
        Err(_) => name,
    }
}

fn failed(what: &str) -> impl Fn(DriverError) -> Error + '_ {
    move |error| {
        if error.0 == CUresult::CUDA_ERROR_OUT_OF_MEMORY {
            Error::mistake(format!(
                "the GPU ran out of memory {what}: try a smaller problem"
            ))
        } else {
            Error::bug(format!("the GPU failed {what}: {}", describe(error)))
        }
    }
}

/// The GPU, opened once per process; or why there is none, in one line.
pub fn gpu() -> Result<&'static Gpu, Unavailable> {
    static GPU: OnceLock<Result<Gpu, Unavailable>> = OnceLock::new();
    GPU.get_or_init(open).as_ref().map_err(Unavailable::clone)
}

/// Opens GPU 0. Any failure means there is no GPU this process can use:
/// said as what is missing, in one line.
fn open() -> Result<Gpu, Unavailable> {
    // SAFETY: only tries to open the driver library by its names.
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        // The driver's library by the name the attendee's system gives it.
        let driver = if cfg!(windows) {
            "nvcuda.dll"
        } else {
            "libcuda"
        };
        return Err(Unavailable(format!(
            "no CUDA driver ({driver}) on this machine, so no GPU to run on"
        )));
    }
    result::init()
        .map_err(|e| Unavailable(format!("the CUDA driver did not start: {}", describe(e))))?;
    let count = result::device::get_count().map_err(|e| {
        Unavailable(format!(
            "the CUDA driver cannot count GPUs: {}",
            describe(e)
        ))
    })?;
    if count == 0 {
        return Err(Unavailable("the CUDA driver found no GPU".to_string()));
    }
    nvrtc::available()?;
    let ctx = CudaContext::new(0)
        .map_err(|e| Unavailable(format!("cannot open GPU 0: {}", describe(e))))?;
    let unanswered = |e: DriverError| Unavailable(format!("cannot query GPU 0: {}", describe(e)));
    let ask = |what| ctx.attribute(what).map_err(unanswered);
    let max_threads_per_block =
        ask(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK)? as u32;
    let multiprocessors = ask(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)? as u32;
    let name = ctx.name().map_err(unanswered)?;
    let capability = ctx.compute_capability().map_err(unanswered)?;
    let stream = ctx.default_stream();
    Ok(Gpu {
        ctx,
        stream,
        name,
        capability,
        max_threads_per_block,
        multiprocessors,
        modules: Mutex::new(Vec::new()),
    })
}

/// Where one run's time went. The device parts are CUDA events' times.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// NVRTC, the first time this source and build were compiled (zero
    /// after), and loading the PTX.
    pub compile: Duration,
    /// Allocating device memory and copying the points over.
    pub to_device: Duration,
    /// The kernel launches alone.
    pub kernel: Duration,
    /// Copying the counts back.
    pub from_device: Duration,
    /// All of the run but the compile, on the host's clock.
    pub end_to_end: Duration,
    /// Kernel launches made.
    pub launches: u64,
}

fn milliseconds(ms: f32) -> Duration {
    Duration::from_secs_f64(f64::from(ms.max(0.0)) / 1e3)
}

impl Gpu {
    /// `source` compiled for this GPU with `build`, and the time NVRTC and
    /// loading took (zero when it was compiled before).
    pub fn module(
        &self,
        source: &Source,
        build: Build,
    ) -> Result<(Arc<CudaModule>, Duration), Error> {
        let mut modules = self.modules.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, _, module)) = modules
            .iter()
            .find(|(path, b, _)| *path == source.path && *b == build)
        {
            return Ok((module.clone(), Duration::ZERO));
        }
        let started = Instant::now();
        let (major, minor) = self.capability;
        let arch = format!("compute_{major}{minor}");
        let ptx = nvrtc::compile(source, build, Some(&arch))?;
        let module = self
            .ctx
            .load_module(Ptx::from_src(ptx))
            .map_err(failed("to load the compiled kernel"))?;
        modules.push((source.path, build, module.clone()));
        Ok((module, started.elapsed()))
    }

    fn function(&self, module: &Arc<CudaModule>, name: &str) -> Result<CudaFunction, Error> {
        // The names are the workshop's, and its kernels define them.
        module
            .load_function(name)
            .map_err(|e| Error::bug(format!("no kernel `{name}` in the module: {}", describe(e))))
    }

    /// Checks a launch shape against this GPU's limits.
    pub fn check_block(&self, block: u32) -> Result<(), Error> {
        if block > self.max_threads_per_block {
            return Err(Error::mistake(format!(
                "--block {block}: {} takes at most {} threads per block",
                self.name, self.max_threads_per_block
            )));
        }
        Ok(())
    }

    /// Runs `elementwise` (the exercise's or the solution's kernel), or the
    /// variant `settings` name, on every point of `problem`.
    pub fn run(
        &self,
        elementwise: &Source,
        settings: &Settings,
        problem: &Problem,
    ) -> Result<(Vec<u32>, Timings), Error> {
        self.check_block(settings.block)?;
        match settings.build.precision {
            Precision::F64 => self.run_in(elementwise, settings, problem, &problem.re, &problem.im),
            Precision::F32 => {
                let narrow =
                    |values: &[f64]| values.iter().map(|&v| v as f32).collect::<Vec<f32>>();
                let (re, im) = (narrow(&problem.re), narrow(&problem.im));
                self.run_in(elementwise, settings, problem, &re, &im)
            }
        }
    }

    fn run_in<T: DeviceRepr + ValidAsZeroBits>(
        &self,
        elementwise: &Source,
        settings: &Settings,
        problem: &Problem,
        re: &[T],
        im: &[T],
    ) -> Result<(Vec<u32>, Timings), Error> {
        let n = u32::try_from(problem.len()).map_err(|_| {
            Error::mistake(format!(
                "{} points is more than one launch can index (at most {}): use a smaller w",
                problem.len(),
                u32::MAX
            ))
        })?;
        self.check_memory(settings, problem.len())?;
        let source = match settings.variant {
            GpuVariant::Arrays => &ARRAYS,
            GpuVariant::Elementwise => elementwise,
            GpuVariant::Gridstride => &crate::source::GRIDSTRIDE,
        };
        let (module, compile) = self.module(source, settings.build)?;
        let stream = &self.stream;
        let event = || {
            stream
                .record_event(Some(CUevent_flags::CU_EVENT_DEFAULT))
                .map_err(failed("to record an event"))
        };
        let started = Instant::now();
        let start = event()?;
        let q_re = stream
            .clone_htod(re)
            .map_err(failed("copying the points over"))?;
        let q_im = stream
            .clone_htod(im)
            .map_err(failed("copying the points over"))?;
        let mut output = stream
            .alloc_zeros::<u32>(problem.len())
            .map_err(failed("allocating the output"))?;
        let copied = event()?;
        let mut launches = 0u64;
        let launching = failed("launching the kernel");
        match settings.variant {
            GpuVariant::Elementwise | GpuVariant::Gridstride => {
                let function = self.function(&module, source.entry)?;
                let grid = match settings.variant {
                    GpuVariant::Elementwise => n.div_ceil(settings.block),
                    _ => settings.grid,
                };
                let maxiter = problem.maxiter;
                let mut launch = stream.launch_builder(&function);
                launch
                    .arg(&q_re)
                    .arg(&q_im)
                    .arg(&mut output)
                    .arg(&n)
                    .arg(&maxiter);
                // SAFETY: the arguments match the kernel's parameters (the
                // header's contract), and every buffer holds n values.
                unsafe { launch.launch(shape(grid, settings.block)) }.map_err(&launching)?;
                launches += 1;
            }
            GpuVariant::Arrays => {
                launches +=
                    self.run_arrays(&module, settings, problem, n, (&q_re, &q_im), &mut output)?;
            }
        }
        let computed = event()?;
        let counts = stream
            .clone_dtoh(&output)
            .map_err(failed("copying the counts back"))?;
        let end = event()?;
        stream.synchronize().map_err(failed("running the kernel"))?;
        let end_to_end = started.elapsed();
        let between = |a: &cudarc::driver::CudaEvent, b| {
            a.elapsed_ms(b)
                .map(milliseconds)
                .map_err(failed("timing the run"))
        };
        let timings = Timings {
            compile,
            to_device: between(&start, &copied)?,
            kernel: between(&copied, &computed)?,
            from_device: between(&computed, &end)?,
            end_to_end,
            launches,
        };
        Ok((counts, timings))
    }

    /// numpy_vector.py on the GPU: six whole-array launches per iteration.
    fn run_arrays<T: DeviceRepr + ValidAsZeroBits>(
        &self,
        module: &Arc<CudaModule>,
        settings: &Settings,
        problem: &Problem,
        n: u32,
        (q_re, q_im): (&cudarc::driver::CudaSlice<T>, &cudarc::driver::CudaSlice<T>),
        output: &mut cudarc::driver::CudaSlice<u32>,
    ) -> Result<u64, Error> {
        let stream = &self.stream;
        let len = problem.len();
        let allocating = failed("allocating the arrays");
        // q is zeroed where points escape, so the pass works on a copy.
        let mut q_re = stream.clone_dtod(q_re).map_err(&allocating)?;
        let mut q_im = stream.clone_dtod(q_im).map_err(&allocating)?;
        let mut z_re = stream.alloc_zeros::<T>(len).map_err(&allocating)?;
        let mut z_im = stream.alloc_zeros::<T>(len).map_err(&allocating)?;
        let mut t_re = stream.alloc_zeros::<T>(len).map_err(&allocating)?;
        let mut t_im = stream.alloc_zeros::<T>(len).map_err(&allocating)?;
        let mut done = stream.alloc_zeros::<u8>(len).map_err(&allocating)?;
        let [square, add, escaped, zero_where, record] =
            ["square", "add", "escaped", "zero_where", "record"]
                .map(|name| self.function(module, name));
        let (square, add, escaped, zero_where, record) =
            (square?, add?, escaped?, zero_where?, record?);
        let config = shape(n.div_ceil(settings.block), settings.block);
        let launching = failed("launching the kernel");
        for iteration in 0..problem.maxiter {
            // SAFETY (every launch): the arguments match the kernel's
            // parameters in kernels/arrays.cu, and every buffer holds n
            // values.
            unsafe {
                stream
                    .launch_builder(&square)
                    .arg(&z_re)
                    .arg(&z_im)
                    .arg(&mut t_re)
                    .arg(&mut t_im)
                    .arg(&n)
                    .launch(config)
                    .map_err(&launching)?;
                stream
                    .launch_builder(&add)
                    .arg(&t_re)
                    .arg(&t_im)
                    .arg(&q_re)
                    .arg(&q_im)
                    .arg(&mut z_re)
                    .arg(&mut z_im)
                    .arg(&n)
                    .launch(config)
                    .map_err(&launching)?;
                stream
                    .launch_builder(&escaped)
                    .arg(&z_re)
                    .arg(&z_im)
                    .arg(&mut done)
                    .arg(&n)
                    .launch(config)
                    .map_err(&launching)?;
                stream
                    .launch_builder(&zero_where)
                    .arg(&done)
                    .arg(&mut q_re)
                    .arg(&mut q_im)
                    .arg(&n)
                    .launch(config)
                    .map_err(&launching)?;
                stream
                    .launch_builder(&zero_where)
                    .arg(&done)
                    .arg(&mut z_re)
                    .arg(&mut z_im)
                    .arg(&n)
                    .launch(config)
                    .map_err(&launching)?;
                stream
                    .launch_builder(&record)
                    .arg(&done)
                    .arg(&mut *output)
                    .arg(&iteration)
                    .arg(&n)
                    .launch(config)
                    .map_err(&launching)?;
            }
        }
        Ok(6 * u64::from(problem.maxiter))
    }

    /// Refuses, in one line, a problem whose arrays would not fit in the
    /// GPU's free memory.
    fn check_memory(&self, settings: &Settings, points: usize) -> Result<(), Error> {
        let real = settings.build.real_bytes() as u128;
        let per_point = match settings.variant {
            // q (2 reals), the counts (4 bytes)
            GpuVariant::Elementwise | GpuVariant::Gridstride => 2 * real + 4,
            // and a copy of q, z, a temporary and the escaped flags
            GpuVariant::Arrays => 8 * real + 4 + 1,
        };
        let needed = per_point * points as u128;
        let (free, _) = self
            .ctx
            .mem_get_info()
            .map_err(failed("reporting its memory"))?;
        if needed > free as u128 {
            return Err(Error::mistake(format!(
                "{} points need {} on the GPU, and {} has {} free: try a smaller problem",
                points,
                bytes_text(needed),
                self.name,
                bytes_text(free as u128)
            )));
        }
        Ok(())
    }

    /// This GPU's fused-multiply-add peak in `precision`, flop/s: the
    /// probe kernel on enough blocks to fill every multiprocessor, run
    /// long enough (about 50 ms) to time well; the best of three.
    pub fn peak_flops(&self, precision: Precision) -> Result<f64, Error> {
        /// Independent multiply-add chains per thread: MANDEL_CHAINS in
        /// kernels/peak.cu.
        const CHAINS: f64 = 8.0;
        /// Threads per block, and blocks per multiprocessor: enough warps
        /// in flight on every multiprocessor to hide the FMA's latency.
        const BLOCK: u32 = 256;
        const BLOCKS_PER_MULTIPROCESSOR: u32 = 16;
        /// The probe's output: one value per thread, at most 8 bytes.
        const SINK_BYTES: usize = 8;
        /// A launch this long times well against the events' resolution.
        const LONG_ENOUGH: Duration = Duration::from_millis(50);
        /// Rounds to start from, and never to pass (the probe's counter
        /// is 32-bit).
        const FIRST_ROUNDS: u32 = 256;
        const MOST_ROUNDS: u32 = 1 << 24;
        /// Timings taken at the final round count; the best is the peak.
        const TRIES: usize = 3;
        let build = Build {
            precision,
            fmad: true,
        };
        let (module, _) = self.module(&PEAK, build)?;
        let function = self.function(&module, PEAK.entry)?;
        let block = BLOCK;
        let grid = self.multiprocessors * BLOCKS_PER_MULTIPROCESSOR;
        let threads = f64::from(grid * block);
        let mut sink = self
            .stream
            .alloc_zeros::<u8>((grid * block) as usize * SINK_BYTES)
            .map_err(failed("allocating the probe's output"))?;
        let mut time_rounds = |rounds: u32| -> Result<Duration, Error> {
            let event = || {
                self.stream
                    .record_event(Some(CUevent_flags::CU_EVENT_DEFAULT))
                    .map_err(failed("to record an event"))
            };
            let start = event()?;
            let mut launch = self.stream.launch_builder(&function);
            launch.arg(&mut sink).arg(&rounds);
            match precision {
                Precision::F64 => launch.arg(&0.999_999_f64).arg(&1e-6_f64),
                Precision::F32 => launch.arg(&0.999_9_f32).arg(&1e-4_f32),
            };
            // SAFETY: fma_peak(real *sink, unsigned rounds, real b, real c);
            // sink holds a real per thread.
            unsafe { launch.launch(shape(grid, block)) }.map_err(failed("running the probe"))?;
            let end = event()?;
            start
                .elapsed_ms(&end)
                .map(milliseconds)
                .map_err(failed("timing the probe"))
        };
        // Scale the rounds until one launch takes long enough: at least
        // doubling, at most 64 times, each try.
        let mut rounds = FIRST_ROUNDS;
        let mut took = time_rounds(rounds)?;
        while took < LONG_ENOUGH && rounds < MOST_ROUNDS {
            let grow = (LONG_ENOUGH.as_secs_f64() / took.as_secs_f64().max(1e-6)).clamp(2.0, 64.0);
            rounds = (f64::from(rounds) * grow).min(f64::from(MOST_ROUNDS)) as u32;
            took = time_rounds(rounds)?;
        }
        let best = (0..TRIES)
            .map(|_| time_rounds(rounds))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .min()
            .unwrap_or(took);
        Ok(2.0 * CHAINS * f64::from(rounds) * threads / best.as_secs_f64())
    }
}

fn shape(grid: u32, block: u32) -> LaunchConfig {
    LaunchConfig {
        grid_dim: (grid.max(1), 1, 1),
        block_dim: (block, 1, 1),
        shared_mem_bytes: 0,
    }
}
