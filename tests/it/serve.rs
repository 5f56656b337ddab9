//! `gazette serve`: the API and the page, against an in-process server on an ephemeral port,
//! spoken to over a plain TCP socket so that malformed requests can be sent as they are. Each
//! answer is checked against the CLI's (the same engine must give the same JSON) or against
//! what the request did wrong.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use gazette::serve::params::encode;
use gazette::serve::{ServeConfig, Server};
use serde_json::Value;

use crate::common::{SEED, gazette, index_of, seed_index, stdout};

fn start(index: &str) -> Server {
    Server::start(&ServeConfig {
        index: index.into(),
        addr: "127.0.0.1:0".parse().unwrap(),
    })
    .expect("the server starts")
}

struct Answer {
    status: u16,
    headers: String,
    body: String,
}

/// Sends `target` (already percent-encoded, or deliberately not) as a GET request.
fn get(addr: SocketAddr, target: &str) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    // A server may answer and close before a huge request is all sent: what it said is read.
    let _ = write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    );
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(body)
    } else {
        body.to_string()
    };
    Answer {
        status,
        headers: head.to_string(),
        body,
    }
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

fn json(answer: &Answer) -> Value {
    assert!(
        answer.headers.contains("application/json"),
        "{}",
        answer.headers
    );
    serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("{e}: {}", answer.body))
}

/// The hits `gazette search ARGS --json` prints, parsed.
fn cli_hits(index: &str, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["search"];
    all.extend(args);
    all.extend(["--json", "--index", index]);
    stdout(&gazette(&all))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_api_gives_the_hits_the_cli_prints_page_by_page() {
    let index = seed_index().to_str().unwrap();
    let server = start(index);
    let answer = get(
        server.addr(),
        &format!("/api/search?q={}", encode("云台山")),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let found = json(&answer);
    let cli = cli_hits(index, &["云台山"]);
    assert_eq!(found["hits"].as_array().unwrap(), &cli);
    // The seed names 云台山 in four paragraphs (README); the total counts them all.
    assert_eq!(found["total"], 4);
    assert!(
        cli.iter()
            .all(|h| h["text"].as_str().unwrap().contains("云台山"))
    );

    // Pages of two: the second is the CLI's third and fourth, in its order.
    let every = cli_hits(index, &["人民", "-n", "6", "--sort", "newest"]);
    let page = json(&get(
        server.addr(),
        &format!(
            "/api/search?q={}&sort=newest&offset=2&limit=2",
            encode("人民")
        ),
    ));
    assert_eq!(page["hits"].as_array().unwrap(), &every[2..4]);
    assert_eq!(page["offset"], 2);

    // Filters narrow as the CLI's flags do.
    let narrowed = json(&get(
        server.addr(),
        &format!(
            "/api/search?q={}&region={}&from=2025&limit=20",
            encode("政府"),
            encode("河南")
        ),
    ));
    let cli = cli_hits(
        index,
        &["政府", "--region", "河南", "--from", "2025", "-n", "20"],
    );
    assert_eq!(narrowed["hits"].as_array().unwrap(), &cli);
}

#[test]
fn stats_and_show_answer_as_their_commands_do() {
    let index = seed_index().to_str().unwrap();
    let server = start(index);
    let counted = json(&get(
        server.addr(),
        &format!("/api/stats?q={}&by=year", encode("政府")),
    ));
    let cli: Vec<Value> = stdout(&gazette(&[
        "stats", "政府", "--by", "year", "--json", "--index", index,
    ]))
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect();
    assert_eq!(counted["by"], "year");
    assert_eq!(counted["buckets"].as_array().unwrap(), &cli);

    let shown = json(&get(
        server.addr(),
        &format!("/api/show?path={}&paragraph=32&context=1", encode(SEED)),
    ));
    let paragraphs = shown["paragraphs"].as_array().unwrap();
    assert_eq!(paragraphs.len(), 3);
    let target = &paragraphs[shown["target"].as_u64().unwrap() as usize];
    assert_eq!(target["paragraph"], 32);
    assert!(target["text"].as_str().unwrap().contains("云台山实验室"));
}

#[test]
fn errors_come_as_json_with_their_status() {
    let server = start(seed_index().to_str().unwrap());
    let addr = server.addr();
    let cases = [
        // A bad query names the character where it went wrong.
        (
            format!("/api/search?q={}", encode("云台山 (")),
            400,
            "character",
        ),
        ("/api/search".to_string(), 400, "empty"),
        ("/api/search?q=a&limit=1000".to_string(), 400, "at most 100"),
        ("/api/search?q=a&sort=up".to_string(), 400, "sort"),
        ("/api/search?q=a&from=2025-13".to_string(), 400, "from"),
        ("/api/stats?q=a&by=week".to_string(), 400, "by is"),
        ("/api/show".to_string(), 400, "path"),
        ("/api/show?path=nowhere.txt".to_string(), 404, "nowhere.txt"),
        ("/api/nothing".to_string(), 404, "no such page"),
        // Malformed percent-encoding, named by its place.
        ("/api/search?q=%E4%B".to_string(), 400, "byte 5 "),
        ("/api/search?q=%FF%FE".to_string(), 400, "UTF-8"),
    ];
    for (target, status, says) in cases {
        let answer = get(addr, &target);
        assert_eq!(answer.status, status, "{target}: {}", answer.body);
        let error = json(&answer)["error"].as_str().unwrap().to_string();
        assert!(error.contains(says), "{target}: {error}");
    }
    // An index that is not there is a service unavailable, said.
    let gone = tempfile::tempdir().unwrap();
    let server = start(gone.path().join("index").to_str().unwrap());
    let answer = get(server.addr(), "/api/search?q=a");
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert!(
        json(&answer)["error"]
            .as_str()
            .unwrap()
            .contains("no index")
    );
}

#[test]
fn every_text_is_escaped_in_the_page() {
    let script = "<script>alert(1)</script>";
    let attribute = "\"><img src=x onerror=alert(2)>";
    let text = format!(
        "测试公报\n2025年第1号\n\n关于测试的通知\n\n第一段写着{script}和{attribute}两种注入。\n"
    );
    let (_dir, index) = index_of("注入.txt", &text);
    let server = start(&index);
    for query in ["注入", "alert", script, attribute] {
        // The last two are also bad queries (a lone quote): the error page shows them too.
        let page = get(server.addr(), &format!("/?q={}", encode(query)));
        assert!(matches!(page.status, 200 | 400), "{query}: {}", page.body);
        assert!(
            !page.body.contains("<script>alert"),
            "{query}: {}",
            page.body
        );
        assert!(!page.body.contains("<img src=x"), "{query}");
        assert!(!page.body.contains("\"><img"), "{query}");
    }
    let page = get(server.addr(), &format!("/?q={}", encode("注入")));
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        page.body.contains("共 <strong>1</strong> 条结果"),
        "{}",
        page.body
    );
    // The API's JSON holds the text as it is.
    let found = json(&get(
        server.addr(),
        &format!("/api/search?q={}", encode("注入")),
    ));
    assert!(found["hits"][0]["text"].as_str().unwrap().contains(script));
}

#[test]
fn no_file_but_an_indexed_one_is_read() {
    let server = start(seed_index().to_str().unwrap());
    for path in [
        "../../../../etc/passwd",
        "/etc/passwd",
        "corpus/../Cargo.toml",
    ] {
        for route in ["/api/show", "/show"] {
            let answer = get(
                server.addr(),
                &format!("{route}?path={}&paragraph=1", encode(path)),
            );
            assert_eq!(answer.status, 404, "{route} {path}: {}", answer.body);
            assert!(!answer.body.contains("root:"), "{route} {path}");
            assert!(!answer.body.contains("[package]"), "{route} {path}");
        }
    }
}

#[test]
fn huge_queries_are_refused_and_the_server_goes_on() {
    let server = start(seed_index().to_str().unwrap());
    // Above the bound on a query, said in JSON.
    let answer = get(
        server.addr(),
        &format!("/api/search?q={}", "a".repeat(5_000)),
    );
    assert_eq!(answer.status, 400);
    assert!(
        json(&answer)["error"]
            .as_str()
            .unwrap()
            .contains("at most 1000")
    );
    // 100,000 characters (100 KB of request line in ASCII, 900 KB in Chinese) are refused by
    // the HTTP layer before any search: 414 URI Too Long, or 431 when the line overflows its
    // buffer.
    for query in ["a".repeat(100_000), encode(&"政".repeat(100_000))] {
        let answer = get(server.addr(), &format!("/api/search?q={query}"));
        assert!(matches!(answer.status, 414 | 431), "{}", answer.headers);
    }
    let answer = get(
        server.addr(),
        &format!("/api/search?q={}", encode("云台山")),
    );
    assert_eq!(answer.status, 200);
}

#[test]
fn a_client_that_sends_nothing_holds_up_no_one_and_is_let_go() {
    let server = start(seed_index().to_str().unwrap());
    let idle: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(server.addr()).unwrap())
        .collect();
    let answer = get(
        server.addr(),
        &format!("/api/search?q={}", encode("云台山")),
    );
    assert_eq!(answer.status, 200);
    // The server closes a connection whose headers do not come (after 10 s).
    let mut first = idle.into_iter().next().unwrap();
    first
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let read = first.read_to_end(&mut rest);
    assert!(read.is_ok(), "{read:?}");
    assert!(started.elapsed() < Duration::from_secs(29));
}

#[test]
fn a_new_commit_is_searched_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.txt"),
        "甲市公报\n2025年第1号\n\n关于甲的通知\n\n甲市推进水利建设。\n",
    )
    .unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    let indexed = |what: &str| {
        let out = gazette(&["index", corpus.to_str().unwrap(), "--index", index]);
        assert!(out.status.success(), "{what}");
    };
    indexed("first");
    let server = start(index);
    let query = format!("/api/search?q={}", encode("乙县"));
    assert_eq!(json(&get(server.addr(), &query))["total"], 0);
    std::fs::write(
        corpus.join("b.txt"),
        "乙县公报\n2025年第2号\n\n关于乙的通知\n\n乙县推进道路建设。\n",
    )
    .unwrap();
    indexed("second");
    let found = json(&get(server.addr(), &query));
    assert!(found["total"].as_u64().unwrap() >= 1, "{found}");
}

#[test]
fn downloads_are_every_hit_as_the_cli_writes_them() {
    let index = seed_index().to_str().unwrap();
    let server = start(index);
    for (format, flag) in [("csv", "--csv"), ("jsonl", "--json")] {
        let answer = get(
            server.addr(),
            &format!("/download?q={}&format={format}", encode("政府")),
        );
        assert_eq!(answer.status, 200, "{format}: {}", answer.body);
        assert!(answer.headers.contains("attachment"), "{}", answer.headers);
        let cli = stdout(&gazette(&[
            "search", "政府", "--all", flag, "--index", index,
        ]));
        assert!(cli.lines().count() > 10, "{format}");
        assert_eq!(answer.body, cli, "{format}");
    }
    let answer = get(server.addr(), "/download?q=a&format=xml");
    assert_eq!(answer.status, 400);
}

#[test]
fn the_concordance_has_a_line_for_each_match_of_the_hits() {
    let index = seed_index().to_str().unwrap();
    let server = start(index);
    let page = get(server.addr(), &format!("/kwic?q={}", encode("人民")));
    assert_eq!(page.status, 200);
    let matches: usize = cli_hits(index, &["人民", "-n", "100"])
        .iter()
        .map(|h| h["matches"].as_array().unwrap().len())
        .sum();
    assert!(matches > 10);
    assert_eq!(page.body.matches("<tr>").count(), matches);
    assert_eq!(page.body.matches("<mark>人民</mark>").count(), matches);
}

#[test]
fn a_source_is_served_only_when_it_is_indexed() {
    let server = start(seed_index().to_str().unwrap());
    let answer = get(server.addr(), &format!("/source?path={}", encode(SEED)));
    assert_eq!(answer.status, 200);
    let file = std::fs::read_to_string(crate::common::repo().join(SEED)).unwrap();
    assert_eq!(answer.body, file);
    for path in [
        "Cargo.toml",
        "corpus/../Cargo.toml",
        "/etc/passwd",
        "../shared",
    ] {
        let answer = get(server.addr(), &format!("/source?path={}", encode(path)));
        assert_eq!(answer.status, 404, "{path}");
        assert!(!answer.body.contains("[package]") && !answer.body.contains("root:"));
    }
}

#[test]
fn a_pdf_hit_links_to_its_page_of_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let index =
        crate::common::build_index(dir.path(), std::path::Path::new("tests/pdf/issue01.pdf"));
    let server = start(&index);
    // On page 2 of the issue, as its truth file says.
    let page = get(
        server.addr(),
        &format!("/?q={}", encode("崖州湾国家实验室南昌物种创新平")),
    );
    assert_eq!(page.status, 200, "{}", page.body);
    let link = format!("/source?path={}#page=2", encode("tests/pdf/issue01.pdf"));
    assert!(page.body.contains(&link), "{}", page.body);
    assert!(page.body.contains("原文 PDF 第 2 页"));
    let pdf = get(server.addr(), link.split('#').next().unwrap());
    assert_eq!(pdf.status, 200);
    assert!(pdf.headers.contains("application/pdf"), "{}", pdf.headers);
    assert!(pdf.body.starts_with("%PDF"));
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    use std::io::BufRead;
    let index = seed_index().to_str().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--index",
            index,
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut said)
        .unwrap();
    assert!(
        said.contains(&format!("http://127.0.0.1:{port}/")),
        "{said}"
    );
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    assert_eq!(get(addr, "/api/search?q=a").status, 200);
    // SAFETY: kill only sends a signal to the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "still running");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    assert!(TcpStream::connect(addr).is_err());
}
