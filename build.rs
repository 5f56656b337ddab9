//! Links the `gazette` binary at a fixed address and, where the C library's static archives are
//! installed, statically, on Linux with glibc.
//!
//! A top 10 is a few milliseconds from process start to exit, and much of a rare word's is the
//! process itself. A position-independent executable is relocated by the dynamic loader at every
//! start, and each shared library (libc, libm, libgcc_s) is found, mapped and bound before `main`;
//! a static binary at a fixed address does none of it (docs/PERFORMANCE.md has the figures).
//!
//! `-C target-feature=+crt-static` would do it for every crate the build compiles, proc-macros
//! included, which rustc refuses unless `--target` is given. These arguments reach this package's
//! binaries only. rustc asks the linker for the C libraries after `-Bdynamic`, so `-static` alone
//! would still take their shared objects; the linker looks in each folder for a library's shared
//! object and then its archive before it tries the next folder, so a folder of our own, searched
//! first, that holds only archives (links to the system's) hands it the archives. libgcc_s, the
//! unwinder, has no archive of its own: libgcc_eh is its static form, as crt-static builds link.
//!
//! Without every archive (glibc's static libraries are a package of their own on some systems),
//! or with `GAZETTE_DYNAMIC` set, the binary is linked dynamically as before.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The libraries rustc links the standard library against, by the name it gives them, with the
/// archive that stands for each.
const ARCHIVES: &[(&str, &str)] = &[
    ("c", "libc.a"),
    ("m", "libm.a"),
    ("gcc_s", "libgcc_eh.a"),
    ("util", "libutil.a"),
    ("rt", "librt.a"),
    ("pthread", "libpthread.a"),
    ("dl", "libdl.a"),
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=GAZETTE_DYNAMIC");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os != "linux" || env != "gnu" {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-no-pie");
    if std::env::var_os("GAZETTE_DYNAMIC").is_some() {
        return;
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    if let Some(folder) = archives_folder(&out.join("static-libs")) {
        println!("cargo:rustc-link-arg-bins=-L{}", folder.display());
        println!("cargo:rustc-link-arg-bins=-static");
    }
}

/// Fills `folder` with links to the archives of [`ARCHIVES`], named as the libraries rustc asks
/// for; `None` when one of them is not installed or the folder cannot be made.
fn archives_folder(folder: &Path) -> Option<PathBuf> {
    let linker = std::env::var("RUSTC_LINKER").unwrap_or_else(|_| "cc".to_string());
    std::fs::create_dir_all(folder).ok()?;
    for (name, archive) in ARCHIVES {
        let path = installed(&linker, archive)?;
        let link = folder.join(format!("lib{name}.a"));
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&path, &link).ok()?;
    }
    Some(folder.to_path_buf())
}

/// Where the C compiler driver finds `archive`: it prints the bare name when it has none.
fn installed(linker: &str, archive: &str) -> Option<PathBuf> {
    let output = Command::new(linker)
        .arg(format!("-print-file-name={archive}"))
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
    (path.is_absolute() && path.is_file()).then_some(path)
}
