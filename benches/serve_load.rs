//! Load on `gazette serve`: concurrent clients on loopback, each sending `/api/search` requests
//! over a kept-alive connection, the queries taken in turn from `benches/queries.tsv`. Reports
//! throughput, latency percentiles, errors and the server's peak RSS, for each query class and in
//! all; then the same while a `gazette index` run adds files to the index the server reads.
//!
//!     INDEX=/tmp/sh17 ADD=../shared/corpus/cn-gov-work-reports-national \
//!         cargo bench --bench serve_load
//!
//! INDEX is an index to copy (the server reads the copy, which the second phase writes to); ADD
//! a folder to index into the copy during the second phase (none: no second phase). CLIENTS
//! (default 32) and SECONDS (default 30) bound the run; CLASS keeps the queries of one class. Without INDEX it says so and does nothing.
//! Loopback only; `gazette bench` on the same index gives the in-process figures beside it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use gazette::serve::params::encode;

const GAZETTE: &str = env!("CARGO_BIN_EXE_gazette");

fn main() {
    let Some(index) = std::env::var_os("INDEX") else {
        eprintln!("serve_load: set INDEX to an index (and ADD to a folder to index meanwhile)");
        return;
    };
    let clients: usize = env_number("CLIENTS", 32);
    let seconds: u64 = env_number("SECONDS", 30) as u64;
    let queries = queries();

    let work = tempdir();
    let copy = work.join("index");
    let copied = Command::new("cp")
        .arg("-r")
        .arg(&index)
        .arg(&copy)
        .status()
        .expect("cp runs");
    assert!(copied.success(), "copying the index failed");

    println!("gazette bench on the index, in-process, for comparison:");
    let bench = Command::new(GAZETTE)
        .args(["bench", "--repeat", "10", "--index"])
        .arg(&copy)
        .output()
        .expect("gazette bench runs");
    print!("{}", String::from_utf8_lossy(&bench.stdout));

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(GAZETTE)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--index"])
        .arg(&copy)
        .stderr(Stdio::piped())
        .spawn()
        .expect("gazette serve starts");
    // The server says where it listens once it does.
    let mut said = String::new();
    BufReader::new(server.stderr.take().unwrap())
        .read_line(&mut said)
        .unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();

    println!("\n{clients} clients for {seconds} s, /api/search?q=…&limit=10:");
    run(addr, clients, seconds, &queries);
    println!("server peak RSS: {} MB", peak_rss_mb(server.id()));

    if let Some(add) = std::env::var_os("ADD") {
        println!(
            "\nthe same while `gazette index {}` adds to the index:",
            Path::new(&add).display()
        );
        let mut indexing = Command::new(GAZETTE)
            .arg("index")
            .arg(&add)
            .arg("--index")
            .arg(&copy)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gazette index starts");
        let started = Instant::now();
        run(addr, clients, seconds, &queries);
        let status = indexing.wait().unwrap();
        println!(
            "indexing {} after {:.1} s; server peak RSS: {} MB",
            if status.success() { "done" } else { "FAILED" },
            started.elapsed().as_secs_f64(),
            peak_rss_mb(server.id())
        );
    }
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&work);
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gazette-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `(class, query)` of benches/queries.tsv.
fn queries() -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/queries.tsv"))
            .unwrap();
    let only = std::env::var("CLASS").ok();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .filter(|(class, _)| only.as_deref().is_none_or(|only| only == *class))
        .map(|(class, query)| (class.to_string(), query.to_string()))
        .collect()
}

/// `clients` threads sending requests for `seconds`, then the figures by class and in all.
fn run(addr: SocketAddr, clients: usize, seconds: u64, queries: &[(String, String)]) {
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let results: Vec<Vec<(usize, Duration, bool)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|client| {
                let stop = &stop;
                scope.spawn(move || {
                    let mut done = Vec::new();
                    let mut connection = None;
                    let mut next = client;
                    while !stop.load(Ordering::Relaxed) {
                        let which = next % queries.len();
                        next += 1;
                        let target =
                            format!("/api/search?q={}&limit=10", encode(&queries[which].1));
                        let sent = Instant::now();
                        let ok = request(&mut connection, addr, &target);
                        done.push((which, sent.elapsed(), ok));
                    }
                    done
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs(seconds));
        stop.store(true, Ordering::Relaxed);
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let all: Vec<&(usize, Duration, bool)> = results.iter().flatten().collect();
    let mut by_class: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for (which, took, _) in &all {
        by_class
            .entry(queries[*which].0.as_str())
            .or_default()
            .push(*took);
    }
    let errors = all.iter().filter(|(_, _, ok)| !ok).count();
    println!("class          requests   p50 ms   p99 ms");
    for (class, times) in &mut by_class {
        let (p50, p99) = percentiles(times);
        println!("{class:<14} {:>8} {p50:>8.2} {p99:>8.2}", times.len());
    }
    let mut times: Vec<Duration> = all.iter().map(|(_, t, _)| *t).collect();
    let (p50, p99) = percentiles(&mut times);
    println!(
        "all            {:>8} {p50:>8.2} {p99:>8.2}   {:.0} requests/s, {errors} errors",
        times.len(),
        times.len() as f64 / elapsed
    );
}

fn percentiles(times: &mut [Duration]) -> (f64, f64) {
    times.sort_unstable();
    let at = |q: f64| {
        let i = ((times.len() as f64 - 1.0) * q).round() as usize;
        times.get(i).map_or(0.0, |t| t.as_secs_f64() * 1000.0)
    };
    (at(0.5), at(0.99))
}

/// One GET on a kept-alive connection, opened again when the server closed it. True for a 200.
fn request(connection: &mut Option<BufReader<TcpStream>>, addr: SocketAddr, target: &str) -> bool {
    for _ in 0..2 {
        if connection.is_none() {
            match TcpStream::connect(addr) {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    *connection = Some(BufReader::new(stream));
                }
                Err(_) => return false,
            }
        }
        let reader = connection.as_mut().unwrap();
        let sent = write!(
            reader.get_mut(),
            "GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n"
        );
        if sent.is_ok()
            && let Some(status) = response(reader)
        {
            return status == 200;
        }
        *connection = None;
    }
    false
}

/// Reads one response; its status, or `None` when the connection broke.
fn response(reader: &mut BufReader<TcpStream>) -> Option<u16> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let status = line.split(' ').nth(1)?.parse().ok()?;
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(status)
}

/// The peak resident memory of a process, from /proc.
fn peak_rss_mb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
