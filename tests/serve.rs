//! `essaymap serve`, in process on an ephemeral port: every route, every
//! error status, and byte-for-byte equality with the commands (`analyze`,
//! `batch`, `report`) run as the binary. Fixtures are essays written for
//! these tests (`examples/`, `tests/data/serve_class.*`).
#![cfg(feature = "serve")]

use assert_cmd::cargo::cargo_bin_cmd;
use essaymap::serve::{self, Config, Handle};
use essaymap::Analyzer;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn root(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn start(config: Config) -> Handle {
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..config
    };
    serve::start(config, Analyzer::embedded().unwrap()).unwrap()
}

fn server() -> Handle {
    start(Config::default())
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// The `{"error": {"kind", "message"}}` body of an error answer.
    fn error_kind(&self) -> String {
        assert_eq!(self.header("content-type"), Some("application/json"));
        let v = self.json();
        assert!(v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        v["error"]["kind"].as_str().unwrap().to_string()
    }
}

/// One HTTP/1.1 request on its own connection.
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    // One write: a server that refuses on the head alone (413, 401) may close
    // before a separate body write, which would then meet a broken pipe.
    let mut req = head.into_bytes();
    req.extend_from_slice(body);
    let _ = s.write_all(&req);
    read_response(&mut s)
}

fn read_response(s: &mut TcpStream) -> Resp {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Resp {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response head");
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
    {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

fn post(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> Resp {
    request(addr, "POST", path, &[("Content-Type", content_type)], body)
}

fn get(addr: SocketAddr, path: &str) -> Resp {
    request(addr, "GET", path, &[], b"")
}

/// `essaymap ARGS` run in `dir`: its standard output.
fn cli(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = cargo_bin_cmd!("essaymap")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 3),
        "essaymap {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn query(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn analyze_answers_what_the_cli_writes_byte_for_byte_in_every_format() {
    let srv = server();
    let path = root("examples/phones.txt");
    let path_s = path.display().to_string();
    let text = std::fs::read_to_string(&path).unwrap();
    let title = "Should schools ban phones?";
    let dir = root("");
    for format in ["json", "jsonl", "aif", "dot", "mermaid", "html", "text"] {
        let expected = cli(
            &dir,
            &["analyze", &path_s, "--title", title, "--format", format],
        );
        let body = serde_json::json!({"text": text, "title": title, "id": path_s});
        let r = post(
            srv.addr(),
            &format!("/v1/analyze?format={format}"),
            "application/json",
            body.to_string().as_bytes(),
        );
        assert_eq!(r.status, 200, "{format}: {}", r.text());
        assert!(r.body == expected, "{format}: the API and the CLI differ");
        // The same essay as text/plain, title and id in the query.
        let r = post(
            srv.addr(),
            &format!(
                "/v1/analyze?format={format}&title={}&id={}",
                query(title),
                query(&path_s)
            ),
            "text/plain; charset=utf-8",
            text.as_bytes(),
        );
        assert_eq!(r.status, 200);
        assert!(
            r.body == expected,
            "{format} (text/plain): the API and the CLI differ"
        );
    }
    // Without an id, as `analyze -` (standard input).
    let expected = cargo_bin_cmd!("essaymap")
        .args(["analyze", "-"])
        .write_stdin(text.clone())
        .output()
        .unwrap()
        .stdout;
    let r = post(srv.addr(), "/v1/analyze", "text/markdown", text.as_bytes());
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.body == expected);
}

#[test]
fn analyze_applies_a_rubric_from_the_request_as_the_cli_does() {
    let srv = server();
    let dir = tempfile::tempdir().unwrap();
    let rubric = String::from_utf8(cli(dir.path(), &["report", "--print-default-rubric"]))
        .unwrap()
        .replacen("name = ", "name = \"Year 9\" # ", 1);
    std::fs::write(dir.path().join("r.toml"), &rubric).unwrap();
    let essay = root("examples/cars.txt");
    let text = std::fs::read_to_string(&essay).unwrap();
    // `analyze -` with a rubric, fed the essay on standard input.
    let expected_rubric = cargo_bin_cmd!("essaymap")
        .current_dir(dir.path())
        .args(["analyze", "-", "--rubric", "r.toml"])
        .write_stdin(text.clone())
        .output()
        .unwrap()
        .stdout;
    assert!(!expected_rubric.is_empty());
    let body = serde_json::json!({"text": text, "rubric": rubric});
    let r = post(
        srv.addr(),
        "/v1/analyze",
        "application/json",
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body == expected_rubric);
    assert!(r.text().contains("Year 9"));
    // A broken rubric is the caller's mistake.
    let body = serde_json::json!({"text": text, "rubric": "scale = ["});
    let r = post(
        srv.addr(),
        "/v1/analyze",
        "application/json",
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.error_kind(), "rubric");
}

#[test]
fn batch_streams_exactly_the_lines_batch_writes_for_jsonl_and_csv() {
    let srv = server();
    let dir = tempfile::tempdir().unwrap();
    for (fixture, name, content_type) in [
        (
            "tests/data/serve_class.jsonl",
            "body.jsonl",
            "application/x-ndjson",
        ),
        ("tests/data/serve_class.csv", "body.csv", "text/csv"),
    ] {
        let input = std::fs::read(root(fixture)).unwrap();
        // Ids of records without one name the input: the server calls its
        // body `body.jsonl` / `body.csv`, so the command reads a file of that name.
        std::fs::write(dir.path().join(name), &input).unwrap();
        cli(dir.path(), &["batch", name, "-o", "out.jsonl", "--quiet"]);
        let expected = std::fs::read(dir.path().join("out.jsonl")).unwrap();
        let r = post(srv.addr(), "/v1/batch", content_type, &input);
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
        assert!(
            r.body == expected,
            "{fixture}: the API and `batch` differ:\n{}",
            r.text()
        );
        // Error records are lines of their own; the records after them are analysed.
        let lines: Vec<serde_json::Value> = r
            .text()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(lines.iter().any(|l| l.get("error").is_some()));
        assert!(lines.last().unwrap().get("sentences").is_some() || fixture.ends_with(".csv"));
    }
    let m = get(srv.addr(), "/metrics").text();
    assert!(m.contains("essaymap_records_failed_total "));
    assert!(!m.contains("essaymap_essays_analysed_total 0\n"));
}

/// A minimal .docx: the one part a reader needs.
fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
        .collect();
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}</w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::FileOptions::default();
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>").unwrap();
    zip.start_file("word/document.xml", opts).unwrap();
    zip.write_all(doc.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

#[test]
fn docx_and_zip_uploads_are_read_like_text_files() {
    let srv = server();
    let paragraphs = [
        "Schools should ban phones in class.",
        "Phones distract pupils. A 2019 survey found that most teachers lose time to them.",
    ];
    let d = docx(&paragraphs);
    let r = post(srv.addr(), "/v1/extract", DOCX, &d);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["text"], paragraphs.join("\n\n"));
    // A .docx analysed directly is the essay of its text.
    let r = post(srv.addr(), "/v1/analyze?id=e.docx", DOCX, &d);
    assert_eq!(r.status, 200, "{}", r.text());
    let expected = post(
        srv.addr(),
        "/v1/analyze?id=e.docx",
        "text/plain",
        paragraphs.join("\n\n").as_bytes(),
    );
    assert!(r.body == expected.body);
    let r = post(srv.addr(), "/v1/extract", DOCX, b"not a zip");
    assert_eq!(r.status, 422);
    assert_eq!(r.error_kind(), "bad_document");

    // A class .zip: the same lines as `batch` on a folder of the same files.
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    std::fs::create_dir_all(class.join("p2")).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::FileOptions::default();
    for (name, file) in [
        ("ana.txt", "phones.txt"),
        ("p2/ben.md", "cars.txt"),
        ("cleo.txt", "homework.txt"),
    ] {
        let text = std::fs::read(root("examples").join(file)).unwrap();
        std::fs::write(class.join(name), &text).unwrap();
        zip.start_file(name, opts).unwrap();
        zip.write_all(&text).unwrap();
    }
    zip.start_file("__MACOSX/._ana.txt", opts).unwrap();
    zip.write_all(b"\x00\x05junk").unwrap();
    zip.start_file("empty.txt", opts).unwrap();
    std::fs::write(class.join("empty.txt"), "").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    cli(
        dir.path(),
        &["batch", "class", "-o", "out.jsonl", "--quiet"],
    );
    let expected = std::fs::read(dir.path().join("out.jsonl")).unwrap();
    let r = post(srv.addr(), "/v1/batch", "application/zip", &bytes);
    assert_eq!(r.status, 200);
    assert!(
        r.body == expected,
        "zip upload:\n{}\n---\n{}",
        r.text(),
        String::from_utf8_lossy(&expected)
    );
    let r = post(srv.addr(), "/v1/batch", "application/zip", b"PK not really");
    assert_eq!(r.status, 422);
}

#[test]
fn report_answers_what_report_writes() {
    let srv = server();
    let dir = tempfile::tempdir().unwrap();
    let input = std::fs::read(root("tests/data/class_batch.jsonl")).unwrap();
    std::fs::copy(
        root("tests/data/class_batch.jsonl"),
        dir.path().join("in.jsonl"),
    )
    .unwrap();
    let csv = cli(dir.path(), &["report", "in.jsonl", "--format", "csv"]);
    let r = post(
        srv.addr(),
        "/v1/report?format=csv",
        "application/x-ndjson",
        &input,
    );
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    assert!(r.body == csv, "gradebook CSV differs");

    cli(
        dir.path(),
        &["report", "in.jsonl", "-o", "class.html", "--title", "9B"],
    );
    let r = post(
        srv.addr(),
        "/v1/report?format=html&title=9B",
        "application/x-ndjson",
        &input,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/zip"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body)).unwrap();
    let mut names: Vec<String> = zip.file_names().map(str::to_string).collect();
    names.sort();
    let mut written: Vec<String> = std::fs::read_dir(dir.path().join("class_essays"))
        .unwrap()
        .map(|e| format!("class_essays/{}", e.unwrap().file_name().to_string_lossy()))
        .chain(["class.html".to_string()])
        .collect();
    written.sort();
    assert_eq!(names, written);
    for name in &names {
        let mut page = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut page).unwrap();
        assert!(
            page == std::fs::read(dir.path().join(name)).unwrap(),
            "{name} differs"
        );
    }

    let r = post(
        srv.addr(),
        "/v1/report?format=json",
        "application/x-ndjson",
        &input,
    );
    let site = r.json();
    assert_eq!(site["essays"].as_array().unwrap().len(), 4);
    assert_eq!(site["errors"], 2);
    assert!(site["class_page"]
        .as_str()
        .unwrap()
        .contains(site["essays"][0]["href"].as_str().unwrap()));

    // Not batch output, an unknown format, the wrong content type.
    let r = post(
        srv.addr(),
        "/v1/report",
        "application/x-ndjson",
        b"{\"id\": \"a\", \"text\": \"An essay.\"}\n",
    );
    assert_eq!(r.status, 422);
    let r = post(
        srv.addr(),
        "/v1/report?format=pdf",
        "application/x-ndjson",
        &input,
    );
    assert_eq!((r.status, r.error_kind().as_str()), (400, "bad_request"));
    let r = post(srv.addr(), "/v1/report", "text/html", &input);
    assert_eq!(r.status, 415);
}

#[test]
fn health_version_metrics_and_openapi() {
    let srv = server();
    let h = get(srv.addr(), "/v1/health").json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["token_required"], false);
    let v = get(srv.addr(), "/v1/version").json();
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert!(v["model"].is_object() || v["model"].is_string());
    assert_eq!(v["limits"]["max_body"], 5 * 1024 * 1024);
    let doc = get(srv.addr(), "/v1/openapi.json").json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/v1/analyze",
        "/v1/batch",
        "/v1/report",
        "/v1/extract",
        "/v1/health",
        "/v1/version",
        "/metrics",
    ] {
        assert!(
            doc["paths"][p].is_object(),
            "{p} missing from the OpenAPI document"
        );
    }
    post(
        srv.addr(),
        "/v1/analyze",
        "text/plain",
        b"Phones distract pupils. Schools should ban them.",
    );
    post(srv.addr(), "/v1/analyze", "text/plain", b"");
    let m = get(srv.addr(), "/metrics");
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    let m = m.text();
    assert!(m.contains("essaymap_http_requests_total{route=\"/v1/analyze\",status=\"200\"} 1"));
    assert!(m.contains("essaymap_http_requests_total{route=\"/v1/analyze\",status=\"422\"} 1"));
    assert!(m.contains("essaymap_http_request_duration_seconds_count{route=\"/v1/analyze\"} 2"));
    assert!(m.contains("essaymap_essays_analysed_total 1"));
    assert!(m.contains("essaymap_requests_rejected_total"));
}

#[test]
fn bad_requests_get_json_errors_with_the_right_status_and_the_server_keeps_serving() {
    let srv = start(Config {
        max_body: 2000,
        ..Config::default()
    });
    let a = srv.addr();
    let cases: Vec<(Resp, u16, &str)> = vec![
        (
            post(a, "/v1/analyze", "application/json", b"{\"text\": "),
            400,
            "invalid_json",
        ),
        (
            post(a, "/v1/analyze", "application/json", b"{\"txt\": \"x\"}"),
            422,
            "bad_request",
        ),
        (
            post(a, "/v1/analyze?format=pdf", "text/plain", b"An essay."),
            400,
            "bad_request",
        ),
        (
            post(a, "/v1/analyze", "application/json", &[b'x'; 3000]),
            413,
            "too_large",
        ),
        (
            post(a, "/v1/analyze", "image/png", b"An essay."),
            415,
            "unsupported_media_type",
        ),
        (
            post(a, "/v1/analyze", "text/plain", b"Caf\xe9 owners disagree."),
            422,
            "invalid_utf8",
        ),
        (
            post(
                a,
                "/v1/analyze",
                "application/json",
                b"{\"text\": \"Caf\xe9\"}",
            ),
            422,
            "invalid_utf8",
        ),
        (
            post(a, "/v1/analyze", "text/plain", b"  \n\n "),
            422,
            "empty",
        ),
        (
            post(a, "/v1/analyze", "application/json", b"{\"text\": \"\"}"),
            422,
            "empty",
        ),
        (
            post(
                a,
                "/v1/batch",
                "application/x-ndjson",
                b"plain text, not JSONL\n",
            ),
            422,
            "bad_request",
        ),
        (
            post(a, "/v1/batch", "text/csv", b"id,words\n1,none\n"),
            422,
            "bad_record",
        ),
        (
            post(a, "/v1/batch", "text/plain", b"{}"),
            415,
            "unsupported_media_type",
        ),
        (post(a, "/v1/batch", "text/csv", b"\n \n"), 422, "empty"),
        (get(a, "/v1/nothing"), 404, "not_found"),
        (get(a, "/v1/analyze"), 405, "method_not_allowed"),
    ];
    for (i, (r, status, kind)) in cases.iter().enumerate() {
        assert_eq!(r.status, *status, "case {i}: {}", r.text());
        assert_eq!(r.error_kind(), *kind, "case {i}");
    }
    // A chunked body over the limit (no length announced) is stopped too. It
    // goes out in one write: the server may answer and close as soon as it has
    // read past the limit, and a later write would then meet a broken pipe.
    let mut s = TcpStream::connect(a).unwrap();
    let mut req = b"POST /v1/analyze HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..3 {
        req.extend_from_slice(b"3E8\r\n");
        req.extend_from_slice(&[b'a'; 1000]);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    // An early answer may cut the write short; the answer is what is tested.
    let _ = s.write_all(&req);
    let r = read_response(&mut s);
    assert_eq!((r.status, r.error_kind().as_str()), (413, "too_large"));
    // A batch record over the per-essay limit is an error line, not a failed request.
    let big = format!("{{\"id\": \"big\", \"text\": \"{}\"}}\n{{\"id\": \"ok\", \"text\": \"Phones distract pupils.\"}}\n", "word ".repeat(500));
    let r = post(a, "/v1/batch", "application/x-ndjson", big.as_bytes());
    assert_eq!(r.status, 200);
    let lines: Vec<serde_json::Value> = r
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["error"]["kind"], "too_large");
    assert_eq!(lines[1]["id"], "ok");
    assert_eq!(get(a, "/v1/health").status, 200);
}

#[test]
fn a_token_guards_every_api_call_but_health_and_the_page() {
    let token = "0123456789abcdef-test-token";
    let srv = start(Config {
        token: Some(token.into()),
        ..Config::default()
    });
    let a = srv.addr();
    for (method, path) in [
        ("POST", "/v1/analyze"),
        ("POST", "/v1/batch"),
        ("POST", "/v1/report"),
        ("GET", "/v1/version"),
        ("GET", "/metrics"),
        ("GET", "/v1/openapi.json"),
    ] {
        let r = request(
            a,
            method,
            path,
            &[("Content-Type", "text/plain")],
            b"Phones distract pupils.",
        );
        assert_eq!(r.status, 401, "{path}");
        assert_eq!(r.error_kind(), "unauthorized");
        assert!(r.header("www-authenticate").is_some());
        let r = request(
            a,
            method,
            path,
            &[("Authorization", "Bearer wrong-token-of-some-length")],
            b"",
        );
        assert_eq!(r.status, 401, "{path}");
    }
    let auth = format!("Bearer {token}");
    let r = request(
        a,
        "POST",
        "/v1/analyze",
        &[("Content-Type", "text/plain"), ("Authorization", &auth)],
        b"Phones distract pupils. Schools should ban them.",
    );
    assert_eq!(r.status, 200);
    assert_eq!(get(a, "/v1/health").json()["token_required"], true);
    assert_eq!(get(a, "/").status, 200);
    // Off loopback only with a token.
    let open = serve::start(
        Config {
            addr: "0.0.0.0:0".parse().unwrap(),
            ..Config::default()
        },
        Analyzer::embedded().unwrap(),
    );
    assert!(open.is_err());
}

/// Starts a request whose body never finishes arriving.
fn hold(a: SocketAddr, path: &str, content_type: &str) -> TcpStream {
    let mut s = TcpStream::connect(a).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!("POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: 100000\r\n\r\n{{\"id\": \"a\", ");
    s.write_all(head.as_bytes()).unwrap();
    s
}

#[test]
fn a_full_queue_answers_503_with_retry_after_and_slow_senders_time_out() {
    let srv = start(Config {
        batch_jobs: 1,
        timeout: Duration::from_secs(4),
        ..Config::default()
    });
    let a = srv.addr();
    let mut slow = hold(a, "/v1/batch", "application/x-ndjson");
    // Until the slow request holds the one slot, a batch is served.
    let r = (0..20)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(100));
            post(
                a,
                "/v1/batch",
                "application/x-ndjson",
                b"{\"id\": \"b\", \"text\": \"Phones distract.\"}\n",
            )
        })
        .find(|r| r.status != 200)
        .unwrap();
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.error_kind(), "overloaded");
    // Analysis of single essays goes on meanwhile.
    assert_eq!(
        post(a, "/v1/analyze", "text/plain", b"Phones distract pupils.").status,
        200
    );
    // The trickling sender is cut off with a timeout, and its slot freed.
    let r = read_response(&mut slow);
    assert_eq!((r.status, r.error_kind().as_str()), (408, "timeout"));
    let r = post(
        a,
        "/v1/batch",
        "application/x-ndjson",
        b"{\"id\": \"b\", \"text\": \"Phones distract pupils.\"}\n",
    );
    assert_eq!(r.status, 200);
    // A client trickling its headers is cut off too.
    let mut s = TcpStream::connect(a).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(b"POST /v1/analyze HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let t = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "the connection was held"
    );
    let m = get(a, "/metrics").text();
    assert!(m.contains("essaymap_requests_rejected_total{reason=\"overloaded\"} 1"));
    assert!(m.contains("essaymap_requests_rejected_total{reason=\"timeout\"} 1"));
}

#[test]
fn pages_escape_essay_text_and_send_a_strict_policy() {
    let srv = start(Config {
        cors: Some("https://lms.example.org".into()),
        ..Config::default()
    });
    let a = srv.addr();
    let text = "Schools should ban phones. <script>alert(1)</script> \"><img src=x onerror=alert(1)> Phones distract pupils.";
    let r = post(a, "/v1/analyze?format=html", "text/plain", text.as_bytes());
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(!html.contains("<img src=x") && !html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let csp = r.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'sha256-"));
    assert!(!csp.contains("'unsafe-inline' 'sha") && !csp.contains("script-src 'unsafe-inline'"));
    // The web app and its assets, all from this server.
    let page = get(a, "/");
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"));
    assert!(!page.text().contains("http://") && !page.text().contains("https://"));
    for asset in ["/app.js", "/app.css"] {
        let r = get(a, asset);
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert!(
            !r.text().contains("innerHTML"),
            "{asset}: essay text is set as text only"
        );
    }
    // CORS only for the configured origin.
    let r = request(
        a,
        "OPTIONS",
        "/v1/analyze",
        &[
            ("Origin", "https://lms.example.org"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    );
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://lms.example.org")
    );
    let plain = server();
    let r = request(
        plain.addr(),
        "POST",
        "/v1/analyze",
        &[
            ("Origin", "https://evil.example"),
            ("Content-Type", "text/plain"),
        ],
        b"Phones distract.",
    );
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[test]
fn shutdown_lets_a_streaming_batch_end_on_a_record_boundary() {
    let srv = server();
    let a = srv.addr();
    let essay = std::fs::read_to_string(root("examples/phones.txt")).unwrap();
    let mut body = String::new();
    for i in 0..3000 {
        body.push_str(&serde_json::json!({"id": format!("e{i}"), "text": essay}).to_string());
        body.push('\n');
    }
    let mut s = TcpStream::connect(a).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let head = format!("POST /v1/batch HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n", body.len());
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    // Read until the first line has come, then stop the server.
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    while !raw.windows(6).any(|w| w == b"\"id\":\"") {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0);
        raw.extend_from_slice(&buf[..n]);
    }
    let stopper = std::thread::spawn(move || srv.shutdown());
    s.read_to_end(&mut raw).unwrap();
    stopper.join().unwrap().unwrap();
    let r = parse_response(&raw);
    assert_eq!(r.status, 200);
    let text = r.text();
    assert!(text.ends_with('\n'));
    let n = text.lines().count();
    assert!((1..3000).contains(&n), "{n} lines");
    for (i, line) in text.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["id"], format!("e{i}"));
    }
    assert!(
        TcpStream::connect(a).is_err(),
        "the server stopped listening"
    );
}

/// `essaymap_essays_analysed_total` from /metrics.
fn analysed(a: SocketAddr) -> u64 {
    get(a, "/metrics")
        .text()
        .lines()
        .find_map(|l| l.strip_prefix("essaymap_essays_analysed_total "))
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_client_that_stops_reading_holds_the_batch_back() {
    let srv = server();
    let a = srv.addr();
    let essay = std::fs::read_to_string(root("examples/phones.txt")).unwrap();
    let total = 4000;
    let mut body = String::new();
    for i in 0..total {
        body.push_str(&serde_json::json!({"id": format!("e{i}"), "text": essay}).to_string());
        body.push('\n');
    }
    let mut s = TcpStream::connect(a).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let head = format!("POST /v1/batch HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n", body.len());
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut first = [0u8; 1024];
    let n = s.read(&mut first).unwrap();
    assert!(n > 0);
    // Long enough to analyse them all, were the server not waiting for the reader.
    std::thread::sleep(Duration::from_secs(4));
    let held = analysed(a);
    assert!(
        held > 0 && held < total as u64,
        "{held} of {total} analysed while the client read nothing"
    );
    let mut raw = first[..n].to_vec();
    s.read_to_end(&mut raw).unwrap();
    let r = parse_response(&raw);
    assert_eq!(r.text().lines().count(), total);
    assert_eq!(analysed(a), total as u64);
}
