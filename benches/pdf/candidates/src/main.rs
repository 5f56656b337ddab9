//! Extract the text of PDFs with one candidate library, for gazette's PDF library choice.
//! usage: pdfbench LIBRARY FILE... ; prints per file: pages, seconds, chars, and the text to FILE.LIBRARY.txt
use std::time::Instant;

fn oxide(path: &str) -> Result<(usize, String), String> {
    let mut doc = pdf_oxide::PdfDocument::open(path).map_err(|e| e.to_string())?;
    let pages = doc.page_count().map_err(|e| e.to_string())?;
    let mut out = String::new();
    for p in 0..pages {
        out.push_str(&doc.extract_text(p).map_err(|e| e.to_string())?);
        out.push('\u{c}');
    }
    Ok((pages, out))
}

/// Characters with their boxes, laid out as lines by their baselines: what a layout rebuild reads.
fn oxide_chars(path: &str) -> Result<(usize, String), String> {
    let mut doc = pdf_oxide::PdfDocument::open(path).map_err(|e| e.to_string())?;
    let pages = doc.page_count().map_err(|e| e.to_string())?;
    let mut out = String::new();
    for p in 0..pages {
        let mut chars = doc.extract_chars(p).map_err(|e| e.to_string())?;
        chars.sort_by(|a, b| b.origin_y.total_cmp(&a.origin_y).then(a.origin_x.total_cmp(&b.origin_x)));
        let mut last_y = f32::NAN;
        for c in &chars {
            if last_y.is_nan() || (c.origin_y - last_y).abs() > 2.0 {
                out.push('\n');
                last_y = c.origin_y;
            }
            out.push(c.char);
        }
        out.push('\u{c}');
    }
    Ok((pages, out))
}

fn extract(path: &str) -> Result<(usize, String), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let pages = pdf_extract::extract_text_from_mem_by_pages(&bytes).map_err(|e| e.to_string())?;
    Ok((pages.len(), pages.join("\u{c}")))
}

fn lopdf_text(path: &str) -> Result<(usize, String), String> {
    let doc = lopdf::Document::load(path).map_err(|e| e.to_string())?;
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let mut out = String::new();
    for p in &pages {
        out.push_str(&doc.extract_text(&[*p]).map_err(|e| e.to_string())?);
        out.push('\u{c}');
    }
    Ok((pages.len(), out))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let lib = &args[1];
    for path in &args[2..] {
        let started = Instant::now();
        let got = std::panic::catch_unwind(|| match lib.as_str() {
            "pdf_oxide" => oxide(path),
            "pdf_oxide-chars" => oxide_chars(path),
            "pdf-extract" => extract(path),
            "lopdf" => lopdf_text(path),
            _ => Err("unknown".into()),
        });
        let secs = started.elapsed().as_secs_f64();
        match got {
            Ok(Ok((pages, text))) => {
                std::fs::write(format!("{path}.{lib}.txt"), &text).unwrap();
                println!("{lib}\t{path}\t{pages}\t{secs:.4}\t{}", text.chars().count());
            }
            Ok(Err(e)) => println!("{lib}\t{path}\terror\t{secs:.4}\t{e}"),
            Err(_) => println!("{lib}\t{path}\tpanic\t{secs:.4}"),
        }
    }
}
