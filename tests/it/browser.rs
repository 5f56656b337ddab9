//! `gazette serve` in a real browser: headless Chromium driven over WebDriver (chromedriver), as
//! a user would use the page. Where Chromium or chromedriver is missing the test says it was
//! skipped (on CI, where `.ci/run` installs them, it fails instead). Screenshots of the search
//! page and the timeline go to `target/screenshots/` (or `GAZETTE_SCREENSHOTS`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use gazette::serve::{ServeConfig, Server};

use crate::common::{repo, seed_index, skipped};

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn found(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|path| path.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn browser(driver_port: u16, chromium: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=zh-CN"],
        }),
    );
    let started = Instant::now();
    loop {
        let connected = ClientBuilder::rustls()
            .unwrap()
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await;
        match connected {
            Ok(client) => return client,
            Err(err) if started.elapsed() > Duration::from_secs(30) => {
                panic!("chromedriver did not start a browser: {err}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

fn screenshots() -> PathBuf {
    let dir = std::env::var_os("GAZETTE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_user_searches_reads_a_context_opens_the_timeline_filters_and_downloads() {
    let test = "browser::a_user_searches_reads_a_context_opens_the_timeline_filters_and_downloads";
    let (Some(chromium), Some(chromedriver)) = (
        found("chromium").or_else(|| found("google-chrome")),
        found("chromedriver"),
    ) else {
        skipped(test, "Chromium or chromedriver is not installed");
        return;
    };
    let server = Server::start(&ServeConfig {
        index: seed_index().to_path_buf(),
        addr: "127.0.0.1:0".parse().unwrap(),
    })
    .unwrap();
    let base = format!("http://{}", server.addr());
    let port = free_port();
    let _driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = browser(port, &chromium).await;
        let shots = screenshots();

        // 1. Type 云台山 into the box and submit.
        client.goto(&base).await.unwrap();
        let field = client.find(Locator::Css("input[name=q]")).await.unwrap();
        field.send_keys("云台山").await.unwrap();
        client
            .find(Locator::Css("form.search button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();

        // 2. Four hits, each with its match highlighted, and the total said.
        client
            .wait()
            .for_element(Locator::Css(".hit"))
            .await
            .unwrap();
        let hits = client.find_all(Locator::Css(".hit")).await.unwrap();
        assert_eq!(hits.len(), 4);
        for hit in &hits {
            let marks = hit.find_all(Locator::Css("mark")).await.unwrap();
            assert!(!marks.is_empty());
            for mark in marks {
                assert_eq!(mark.text().await.unwrap(), "云台山");
            }
        }
        let count = client.find(Locator::Css("p.count")).await.unwrap();
        assert!(count.text().await.unwrap().contains("共 4 条结果"));
        std::fs::write(shots.join("search.png"), client.screenshot().await.unwrap()).unwrap();

        // 3. Click one: its context, the paragraph asked for marked among its neighbours.
        let first_text = hits[0]
            .find(Locator::Css(".text"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        hits[0]
            .find(Locator::Css("a.context"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let target = client
            .wait()
            .for_element(Locator::Css(".hit.target"))
            .await
            .unwrap();
        let target_text = target.find(Locator::Css(".text")).await.unwrap();
        let target_text = target_text.text().await.unwrap();
        assert!(target_text.contains("云台山"));
        // The passage shown with the hit is the paragraph, or windows of it.
        assert!(
            first_text
                .split('…')
                .map(str::trim)
                .filter(|piece| !piece.is_empty())
                .all(|piece| target_text.contains(piece)),
            "{first_text} / {target_text}"
        );
        assert!(client.find_all(Locator::Css(".hit")).await.unwrap().len() > 1);
        client.back().await.unwrap();

        // 4. The timeline: a bar for 2025, drawn on the server.
        client
            .wait()
            .for_element(Locator::LinkText("时间分布"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let bar = client
            .wait()
            .for_element(Locator::Css("svg rect"))
            .await
            .unwrap();
        assert!(bar.attr("height").await.unwrap().is_some());
        let svg = client.source().await.unwrap();
        assert!(svg.contains("2025：每万段"), "the bar names its year");
        std::fs::write(
            shots.join("timeline.png"),
            client.screenshot().await.unwrap(),
        )
        .unwrap();

        // 5. Filter by year: 2025 keeps the four, 2024 has none.
        for (year, expected) in [("2025", "共 4 条结果"), ("2024", "共 0 条结果")] {
            client.goto(&base).await.unwrap();
            let form = client.find(Locator::Css("form.search")).await.unwrap();
            form.find(Locator::Css("input[name=q]"))
                .await
                .unwrap()
                .send_keys("云台山")
                .await
                .unwrap();
            for name in ["from", "to"] {
                form.find(Locator::Css(&format!("input[name={name}]")))
                    .await
                    .unwrap()
                    .send_keys(year)
                    .await
                    .unwrap();
            }
            form.find(Locator::Css("button[type=submit]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            // The submit loads a new page, but the box's own update as one types may show a
            // count first, whose element the new page then replaces: read the count once the
            // new page's address is there, again if it was replaced while being read.
            let deadline = Instant::now() + Duration::from_secs(10);
            let (text, url) = loop {
                let url = client.current_url().await.unwrap();
                if url.as_str().contains(&format!("from={year}")) {
                    let count = client.find(Locator::Css("p.count")).await;
                    if let Ok(count) = count
                        && let Ok(text) = count.text().await
                    {
                        break (text, url);
                    }
                }
                assert!(Instant::now() < deadline, "no count for {year} at {url}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            assert!(text.contains(expected), "{year}: {text}");
            assert!(url.as_str().contains(&format!("from={year}")), "{url}");
        }

        // As one types, the hits follow the box (JavaScript, after a pause), and so does the URL.
        client.goto(&base).await.unwrap();
        client
            .find(Locator::Css("input[name=q]"))
            .await
            .unwrap()
            .send_keys("多氟多")
            .await
            .unwrap();
        let typed = client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("#hits .hit mark"))
            .await
            .unwrap();
        assert_eq!(typed.text().await.unwrap(), "多氟多");
        let url = client.current_url().await.unwrap();
        assert!(
            url.as_str().contains("q=%E5%A4%9A%E6%B0%9F%E5%A4%9A"),
            "{url}"
        );

        // 6. Download the CSV the page links to, and parse it: one row per hit.
        client
            .goto(&format!("{base}/?q=%E4%BA%91%E5%8F%B0%E5%B1%B1"))
            .await
            .unwrap();
        let link = client
            .wait()
            .for_element(Locator::LinkText("下载 CSV"))
            .await
            .unwrap();
        let href = link
            .prop("href")
            .await
            .unwrap()
            .expect("the link has an address");
        let body = fetch(&href);
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let text_column = headers.iter().position(|h| h == "text").unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().all(|row| row[text_column].contains("云台山")));

        client.close().await.unwrap();
    });
}

/// The body of an http:// URL of the test server.
fn fetch(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
        "{head}"
    );
    body.to_string()
}
