fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let (index, _f) = gazette::store::open(std::path::Path::new(&dir)).unwrap();
    let searcher = index.reader().unwrap().searcher();
    let usage = searcher.space_usage().unwrap();
    let all: std::collections::BTreeSet<String> = index
        .schema()
        .fields()
        .filter(|(_, e)| e.is_indexed())
        .map(|(_, e)| e.name().to_string())
        .collect();
    for seg in usage.segments() {
        let have: std::collections::BTreeSet<String> = seg
            .termdict()
            .fields()
            .map(|f| f.field_name().to_string())
            .collect();
        let missing: Vec<_> = all.difference(&have).collect();
        println!("{} docs, missing {:?}", seg.num_docs(), missing);
    }
}
