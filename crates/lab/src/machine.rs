//! What this machine is: its CPU and its caches, read from the system
//! where it says. Every figure and chart names the machine it was measured on.

use std::process::Command;

use mandel_core::Isa;

/// One CPU cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    pub level: u8,
    /// `Data`, `Instruction` or `Unified`.
    pub kind: String,
    pub bytes: u64,
}

impl Cache {
    /// `L1d`, `L2`, `L3`: the usual short name.
    pub fn name(&self) -> String {
        match self.kind.as_str() {
            "Data" => format!("L{}d", self.level),
            "Instruction" => format!("L{}i", self.level),
            _ => format!("L{}", self.level),
        }
    }
}

/// The data and unified caches one core sees, smallest first; empty where
/// the system does not say (then charts show no cache lines).
pub fn data_caches() -> Vec<Cache> {
    let mut caches = linux_caches().unwrap_or_else(macos_caches);
    caches.retain(|c| c.kind != "Instruction");
    caches.sort_by_key(|c| (c.level, c.bytes));
    caches.dedup();
    caches
}

fn linux_caches() -> Option<Vec<Cache>> {
    let base = std::path::Path::new("/sys/devices/system/cpu/cpu0/cache");
    let mut caches = Vec::new();
    for entry in std::fs::read_dir(base).ok()?.flatten() {
        if !entry.file_name().to_string_lossy().starts_with("index") {
            continue;
        }
        let read = |name: &str| std::fs::read_to_string(entry.path().join(name)).ok();
        let (Some(level), Some(kind), Some(size)) = (read("level"), read("type"), read("size"))
        else {
            continue;
        };
        let (Ok(level), Some(bytes)) = (level.trim().parse(), parse_size(size.trim())) else {
            continue;
        };
        caches.push(Cache {
            level,
            kind: kind.trim().to_string(),
            bytes,
        });
    }
    (!caches.is_empty()).then_some(caches)
}

fn macos_caches() -> Vec<Cache> {
    let sysctl = |key: &str| -> Option<u64> {
        let out = std::process::Command::new("sysctl")
            .args(["-n", key])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    [
        (1, "Data", "hw.l1dcachesize"),
        (2, "Unified", "hw.l2cachesize"),
        (3, "Unified", "hw.l3cachesize"),
    ]
    .into_iter()
    .filter_map(|(level, kind, key)| {
        sysctl(key).filter(|&b| b > 0).map(|bytes| Cache {
            level,
            kind: kind.to_string(),
            bytes,
        })
    })
    .collect()
}

/// `48K`, `1024K`, `32M` as the kernel writes them.
fn parse_size(text: &str) -> Option<u64> {
    let (digits, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = digits.parse().ok()?;
    match unit {
        "" => Some(n),
        "K" => Some(n << 10),
        "M" => Some(n << 20),
        "G" => Some(n << 30),
        _ => None,
    }
}

/// `Measured on Intel(R) Xeon(R) Processor, 2 cores, AVX-512.`
pub fn machine_line() -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!(
        "Measured on {}, {cores} core{}, best vectors {}.",
        cpu_name(),
        if cores == 1 { "" } else { "s" },
        Isa::best()
    )
}

/// The CPU's model name, where the system says it.
fn cpu_name() -> String {
    let linux = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, name)| name.trim().to_string())
        });
    let macos = || {
        Command::new("sysctl")
            .args(["-n", "machdep.cpu.brand_string"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    linux
        .or_else(macos)
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| format!("an unnamed {} CPU", std::env::consts::ARCH))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_as_the_kernel_writes_them() {
        assert_eq!(parse_size("48K"), Some(48 << 10));
        assert_eq!(parse_size("32M"), Some(32 << 20));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("x"), None);
    }

    #[test]
    fn caches_are_data_caches_smallest_first() {
        let caches = data_caches();
        assert!(caches.iter().all(|c| c.kind != "Instruction"));
        assert!(caches.windows(2).all(|w| w[0].level <= w[1].level));
    }
}
