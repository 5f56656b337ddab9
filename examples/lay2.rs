// Store layouts of a schema-30 store: as is, text as UTF-16, section as a diff from the paragraph before.
use std::io::Read;
fn vint(b: &mut &[u8]) -> u64 {
    let mut v = 0u64;
    let mut s = 0;
    loop {
        let x = b[0];
        *b = &b[1..];
        v |= ((x & 0x7f) as u64) << s;
        if x & 0x80 != 0 {
            return v;
        }
        s += 7;
    }
}
fn leb(b: &mut &[u8]) -> u64 {
    let mut v = 0u64;
    let mut s = 0;
    loop {
        let x = b[0];
        *b = &b[1..];
        v |= ((x & 0x7f) as u64) << s;
        if x & 0x80 == 0 {
            return v;
        }
        s += 7;
    }
}
fn put_vint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let x = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(x | 0x80);
            return;
        }
        out.push(x);
    }
}
fn put_leb(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}
fn checkpoints(index: &[u8]) -> Vec<(usize, usize)> {
    let mut bytes = index;
    let layers = vint(&mut bytes);
    let mut ends = Vec::new();
    for _ in 0..layers {
        ends.push(vint(&mut bytes) as usize);
    }
    let start = if ends.len() >= 2 {
        ends[ends.len() - 2]
    } else {
        0
    };
    let end = *ends.last().unwrap();
    let mut layer = &bytes[start..end];
    let mut blocks = Vec::new();
    while !layer.is_empty() {
        let count = vint(&mut layer);
        if count == 0 {
            continue;
        }
        let _doc = vint(&mut layer);
        let mut byte = vint(&mut layer) as usize;
        for _ in 0..count {
            let _docs = vint(&mut layer);
            let length = vint(&mut layer) as usize;
            blocks.push((byte, byte + length));
            byte += length;
        }
    }
    blocks
}
type Doc = Vec<(u32, u8, Vec<u8>)>;
fn hc(data: &[u8]) -> usize {
    lz4::block::compress(
        data,
        Some(lz4::block::CompressionMode::HIGHCOMPRESSION(3)),
        false,
    )
    .unwrap()
    .len()
        + 4
}
struct Layout {
    name: String,
    blocks: Vec<Vec<u8>>,
    cur: Vec<u8>,
    offs: Vec<u32>,
    size: usize,
}
impl Layout {
    fn new(name: &str, size: usize) -> Layout {
        Layout {
            name: name.into(),
            blocks: vec![],
            cur: vec![],
            offs: vec![],
            size,
        }
    }
    fn add(&mut self, doc: &[u8]) {
        self.offs.push(self.cur.len() as u32);
        self.cur.extend_from_slice(doc);
        if self.cur.len() > self.size {
            self.flush();
        }
    }
    fn flush(&mut self) {
        if self.offs.is_empty() {
            return;
        }
        let mut b = std::mem::take(&mut self.cur);
        for o in &self.offs {
            b.extend_from_slice(&o.to_le_bytes());
        }
        b.extend_from_slice(&(self.offs.len() as u32).to_le_bytes());
        self.offs.clear();
        self.blocks.push(b);
    }
}
fn serialize(doc: &Doc) -> Vec<u8> {
    let mut out = vec![];
    put_vint(&mut out, doc.len() as u64);
    for (f, c, b) in doc {
        out.extend_from_slice(&f.to_le_bytes());
        out.push(*c);
        put_vint(&mut out, b.len() as u64);
        out.extend_from_slice(b);
    }
    out
}
fn utf16(s: &[u8]) -> Vec<u8> {
    std::str::from_utf8(s)
        .unwrap()
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect()
}
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let mut data = vec![];
    std::fs::File::open(&path)
        .unwrap()
        .read_to_end(&mut data)
        .unwrap();
    let fl = u32::from_le_bytes(data[data.len() - 8..data.len() - 4].try_into().unwrap()) as usize;
    let body = &data[..data.len() - 8 - fl];
    let footer = &body[body.len() - 28..];
    let index_at = u64::from_le_bytes(footer[4..12].try_into().unwrap()) as usize;
    let store = &body[..index_at];
    let blocks = checkpoints(&body[index_at..body.len() - 28]);
    let mut docs: Vec<Doc> = vec![];
    let mut stored = 0;
    for &(s, e) in &blocks {
        let c = &store[s..e];
        stored += c.len();
        let size = u32::from_le_bytes(c[0..4].try_into().unwrap()) as usize;
        let content = lz4::block::decompress(&c[4..], Some(size as i32)).unwrap();
        let count = u32::from_le_bytes(content[size - 4..].try_into().unwrap()) as usize;
        let offsets = size - 4 - 4 * count;
        for k in 0..count {
            let st = u32::from_le_bytes(
                content[offsets + 4 * k..offsets + 4 * k + 4]
                    .try_into()
                    .unwrap(),
            ) as usize;
            let en = if k + 1 < count {
                u32::from_le_bytes(
                    content[offsets + 4 * k + 4..offsets + 4 * k + 8]
                        .try_into()
                        .unwrap(),
                ) as usize
            } else {
                offsets
            };
            let mut b = &content[st..en];
            let n = vint(&mut b);
            let mut doc = vec![];
            for _ in 0..n {
                let f = u32::from_le_bytes(b[0..4].try_into().unwrap());
                let code = b[4];
                b = &b[5..];
                let len = vint(&mut b) as usize;
                doc.push((f, code, b[..len].to_vec()));
                b = &b[len..];
            }
            docs.push(doc);
        }
    }
    println!(
        "docs {} blocks {} stored {}",
        docs.len(),
        blocks.len(),
        stored
    );
    let mut per = std::collections::BTreeMap::<(u32, u8), (usize, usize)>::new();
    for d in &docs {
        for (f, c, b) in d {
            let e = per.entry((*f, *c)).or_default();
            e.0 += 1;
            e.1 += b.len();
        }
    }
    println!("{:?}", per);
    let text_field = per
        .iter()
        .find(|(k, _)| k.1 == 0)
        .map(|(k, _)| k.0)
        .unwrap();
    let place_field = per
        .iter()
        .filter(|(k, v)| k.1 == 4 && v.0 == docs.len())
        .map(|(k, _)| k.0)
        .next()
        .unwrap();
    let cite_field = per
        .iter()
        .filter(|(k, v)| k.1 == 4 && v.0 != docs.len())
        .map(|(k, _)| k.0)
        .next()
        .unwrap();
    let mut ls: Vec<Layout> = [
        "as is",
        "utf16",
        "diff section",
        "diff+utf16",
        "no citation",
        "as is 64K",
        "diff 64K",
    ]
    .iter()
    .map(|n| Layout::new(n, if n.contains("64K") { 65536 } else { 32768 }))
    .collect();
    let mut prev: Vec<Vec<u8>> = vec![];
    for d in &docs {
        let head = d.iter().any(|v| v.0 == cite_field);
        let place = d.iter().find(|v| v.0 == place_field).unwrap().2.clone();
        let mut r = &place[..];
        leb(&mut r);
        leb(&mut r);
        let sec_at = place.len() - r.len();
        let n = leb(&mut r) as usize;
        let mut heads = vec![];
        for _ in 0..n {
            let l = leb(&mut r) as usize;
            heads.push(r[..l].to_vec());
            r = &r[l..];
        }
        let keep = if head {
            0
        } else {
            heads.iter().zip(&prev).take_while(|(a, b)| a == b).count()
        };
        let mut diff = place[..sec_at].to_vec();
        put_leb(&mut diff, keep as u64);
        put_leb(&mut diff, (n - keep) as u64);
        for h in &heads[keep..] {
            put_leb(&mut diff, h.len() as u64);
            diff.extend_from_slice(h);
        }
        prev = heads;
        let map = |pl: &Vec<u8>, u: bool, cite: bool| -> Doc {
            d.iter()
                .filter(|v| cite || v.0 != cite_field)
                .map(|(f, c, b)| {
                    if *f == place_field {
                        (*f, *c, pl.clone())
                    } else if *c == 0 && u {
                        (*f, 4, utf16(b))
                    } else {
                        (*f, *c, b.clone())
                    }
                })
                .collect()
        };
        ls[0].add(&serialize(&map(&place, false, true)));
        ls[1].add(&serialize(&map(&place, true, true)));
        ls[2].add(&serialize(&map(&diff, false, true)));
        ls[3].add(&serialize(&map(&diff, true, true)));
        ls[4].add(&serialize(&map(&place, false, false)));
        ls[5].add(&serialize(&map(&place, false, true)));
        ls[6].add(&serialize(&map(&diff, false, true)));
    }
    for l in &mut ls {
        l.flush();
    }
    for l in &ls {
        let raw: usize = l.blocks.iter().map(|b| b.len()).sum();
        let c: usize = l.blocks.iter().map(|b| hc(b)).sum();
        println!(
            "{:20} blocks {:6} raw {:11} hc3 {:11}",
            l.name,
            l.blocks.len(),
            raw,
            c
        );
    }
}
