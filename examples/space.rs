use tantivy::Index;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let index = Index::open_in_dir(&dir).unwrap();
    let reader = index.reader().unwrap();
    let searcher = reader.searcher();
    for name in ["words", "chars", "grams", "context", "attribute_terms"] {
        let field = index.schema().get_field(name).unwrap();
        let mut pairs = 0u64;
        for seg in searcher.segment_readers() {
            let inv = seg.inverted_index(field).unwrap();
            let mut s = inv.terms().stream().unwrap();
            while s.advance() {
                pairs += s.value().doc_freq as u64;
            }
        }
        let tokens =
            tantivy::query::Bm25StatisticsProvider::total_num_tokens(&searcher, field).unwrap_or(0);
        println!("{name}: {tokens} tokens, {pairs} (term, paragraph) pairs");
    }
}
