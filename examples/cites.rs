fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let index = tantivy::Index::open_in_dir(&dir).unwrap();
    let searcher = index.reader().unwrap().searcher();
    let mut sums = std::collections::BTreeMap::<&str, usize>::new();
    let (mut n, mut total) = (0, 0);
    for seg in searcher.segment_readers() {
        let col = seg.fast_fields().bytes("citation").unwrap().unwrap();
        let dict = col.dictionary();
        let mut stream = dict.stream().unwrap();
        while stream.advance() {
            let key = stream.key();
            total += key.len();
            n += 1;
            let (c, _) = gazette::store::citations::decode(key).unwrap();
            *sums.entry("path").or_default() += c.path.len();
            *sums.entry("gazette").or_default() += c.gazette.map_or(0, |s| s.len());
            *sums.entry("issue").or_default() += c.issue.map_or(0, |s| s.len());
            *sums.entry("date").or_default() += c.date.map_or(0, |s| s.len());
            *sums.entry("region").or_default() += c.region.map_or(0, |s| s.len());
            *sums.entry("document").or_default() += c.document.len();
            *sums.entry("doc_number").or_default() += c.doc_number.map_or(0, |s| s.len());
            *sums.entry("attributes").or_default() += c
                .attributes
                .iter()
                .map(|(a, b)| a.len() + b.len() + 2)
                .sum::<usize>();
        }
    }
    println!("values {n} bytes {total}");
    for (k, v) in sums {
        println!("{k}: {v}");
    }
}
