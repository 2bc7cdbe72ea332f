# Sourced by .ci/bare and .ci/kit: the bare laptop they share. A minimal
# Debian 12 root with only `gcc` and `libc6-dev`, kept under .ci/cache
# (git-ignored), this machine's Rust toolchain mounted in read-only, and a
# shell inside it with only what a laptop with Rust has.
#
# The sourcing script sets `bare_name` (the prefix of its lines) first.
# Without root or a network the root cannot be made: that is one line,
# `<bare_name>: SKIPPED (why)`, and status 0, so CI goes on with the rest.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache="$repo/.ci/cache"
root="$cache/bare-root"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
cargo_home=${CARGO_HOME:-$HOME/.cargo}

say_skipped() { echo "$bare_name: SKIPPED ($1)"; exit 0; }

# The root, made once (debootstrap, then gcc and libc6-dev).
bare_root_make() {
    [ "$(id -u)" = 0 ] || say_skipped "not root: chroot and mounts need it"
    # Mounts a killed run left behind go first: rm -rf would follow them
    # into the toolchain.
    { grep -o " $root/[^ ]*" /proc/mounts 2>/dev/null || true; } | sort -r | while read -r m; do umount -l "$m"; done
    if [ ! -e "$root/.made" ]; then
        if ! command -v debootstrap >/dev/null 2>&1; then
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; } ||
                say_skipped "cannot install debootstrap (offline?)"
        fi
        rm -rf "$root"
        mkdir -p "$cache"
        debootstrap --variant=minbase bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
            say_skipped "debootstrap failed, see $cache/debootstrap.log (offline?)"
        cp /etc/resolv.conf "$root/etc/resolv.conf"
        chroot "$root" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null' ||
            say_skipped "apt-get in the bare root failed (offline?)"
        touch "$root/.made"
    fi
}

# Bind mounts into the root; unmounted on every way out, before anything
# could remove the root (rm -rf follows a bind mount).
mounts=()
mount_in() { # SOURCE TARGET [ro]
    mkdir -p "$root$2"
    mount --bind "$1" "$root$2"
    mounts=("$root$2" "${mounts[@]}")
    if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$root$2"; fi
}
unmount_all() {
    for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null || true; done
}
trap unmount_all EXIT

# /proc, /dev and the toolchain (read-only, at /opt/rustup) mounted in,
# and CARGO_HOME (a path inside the root) holding rustup and its proxies
# only: what else this machine installed with cargo (mdbook, say) a
# newcomer's laptop does not have.
bare_root_toolchain() { # CARGO_HOME
    mount_in /proc /proc
    mount_in /dev /dev
    mount_in "$rustup_home" /opt/rustup ro
    if grep -q " $root$1" /proc/mounts; then
        echo "$bare_name: something under $root$1 is still mounted; not touching it"; exit 1
    fi
    rm -rf "${root:?}$1/bin"
    mkdir -p "$root$1/bin"
    cp "$cargo_home/bin/rustup" "$root$1/bin/rustup"
    for proxy in cargo rustc rustdoc cargo-clippy clippy-driver rustfmt cargo-fmt; do
        ln -s rustup "$root$1/bin/$proxy"
    done
}

# The bare laptop's shell: COMMAND run in $bare_dir, with only HOME, PATH,
# the toolchain's homes, CARGO_TARGET_DIR=$bare_target, and the NAME=value
# words in bare_env; bare_wrap (say `unshare -n`) goes before chroot.
bare_env=()
bare_wrap=()
inside() { # COMMAND
    "${bare_wrap[@]}" chroot "$root" /usr/bin/env -i HOME=/root PATH="$bare_cargo_home/bin:/usr/bin:/bin" \
        RUSTUP_HOME=/opt/rustup CARGO_HOME="$bare_cargo_home" "${bare_env[@]}" \
        CARGO_TARGET_DIR="$bare_target" \
        /bin/sh -c "cd $bare_dir && $1"
}

# What a laptop with Rust lacks must be missing here too, or the run
# proves nothing.
bare_root_check_absent() {
    for absent in mpicc mpirun c++ g++ python3 mdbook nvcc; do
        if inside "command -v $absent" >/dev/null 2>&1; then
            echo "$bare_name: $absent is installed in $root, which must not have it"; exit 1
        fi
    done
}
