//! A paragraph's length in a scored field, as BM25 normalises by: tantivy's field norms for the
//! fields every paragraph holds (the grams, the context), a column on heads for the fields only
//! heads hold (the title, the names: [`crate::store::schema::length_column`]), where field
//! norms would spend a byte on every paragraph. Both give tantivy's field norm id, so a score is
//! the same whichever holds the length.

use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::schema::Field;
use tantivy::{DocId, SegmentReader};

use crate::store::schema;

pub enum Norms {
    Field(FieldNormReader),
    /// The field norm id on heads; a paragraph without the field has none, length 0.
    Column(Column<u64>),
}

impl Norms {
    /// The lengths of `field` in the segment; `None` when the index keeps none for it.
    pub fn open(reader: &SegmentReader, field: Field) -> tantivy::Result<Option<Norms>> {
        if let Some(norms) = reader.fieldnorms_readers().get_field(field)? {
            return Ok(Some(Norms::Field(norms)));
        }
        let name = reader.schema().get_field_name(field);
        // tantivy writes a column for every fast field of the schema in every segment, even one
        // none of whose documents holds a value (the heads of a file's later parts hold no
        // names): there every length is 0.
        match schema::length_column(name) {
            Some(column) => Ok(Some(Norms::Column(reader.fast_fields().u64(column)?))),
            None => Ok(None),
        }
    }

    /// As [`Norms::open`], for a field that is scored: an index without its lengths is not one
    /// this version wrote.
    pub fn open_scored(reader: &SegmentReader, field: Field) -> tantivy::Result<Norms> {
        Norms::open(reader, field)?.ok_or_else(|| {
            let name = reader.schema().get_field_name(field);
            tantivy::TantivyError::SchemaError(format!("no lengths for field {name:?}"))
        })
    }

    /// The field norm id of `doc`'s length.
    pub fn fieldnorm_id(&self, doc: DocId) -> u8 {
        match self {
            Norms::Field(norms) => norms.fieldnorm_id(doc),
            Norms::Column(column) => column.first(doc).map_or(0, |id| id as u8),
        }
    }

    /// `doc`'s length as BM25 reads it: the token count its field norm id stands for.
    pub fn fieldnorm(&self, doc: DocId) -> u32 {
        FieldNormReader::id_to_fieldnorm(self.fieldnorm_id(doc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tantivy::columnar::StrColumn;

    use crate::indexer::index_of_files;
    use crate::text::fold;

    /// The title's and the names' lengths on each head are those tantivy would record as field
    /// norms (tokens counted by hand: a title without spaces gives a bigram for each character
    /// but its first, and names a covering gram for each character of the title and of the 文号),
    /// quantized as tantivy quantizes them; 0 on the paragraphs that are not heads. Titles of 4 to
    /// 80 characters, where quantizing is exact and where it rounds.
    #[test]
    fn gives_the_lengths_of_heads_and_zero_elsewhere() {
        let files: Vec<(String, String)> = [4usize, 17, 41, 80]
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                let title: String = "关于印发管理办法的通知".chars().cycle().take(n).collect();
                let text =
                    format!("# {title}\n\n国发〔2024〕{i}号\n\n第一段正文。\n\n第二段正文。\n");
                (format!("doc{i}.txt"), text)
            })
            .collect();
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (&p[..], &t[..])).collect();
        let (_dir, index, fields) = index_of_files(&files);
        let searcher = index.reader().unwrap().searcher();
        let id = |count: usize| u64::from(FieldNormReader::fieldnorm_to_id(count as u32));
        let (mut heads, mut numbered) = (0, 0);
        for reader in searcher.segment_readers() {
            let title_norms = Norms::open_scored(reader, fields.title).unwrap();
            let name_norms = Norms::open_scored(reader, fields.name).unwrap();
            let titles = reader.fast_fields().str(schema::DOCUMENT).unwrap().unwrap();
            let numbers = reader.fast_fields().str(schema::DOC_NUMBER).unwrap();
            for doc in 0..reader.max_doc() {
                let (title, name) = (title_norms.fieldnorm_id(doc), name_norms.fieldnorm_id(doc));
                let Some(whole) = value(&titles, doc) else {
                    assert_eq!((title, name), (0, 0), "paragraph {doc}");
                    continue;
                };
                heads += 1;
                let length = |text: &str| fold::fold_to_string(text).chars().count();
                let number = numbers.as_ref().and_then(|column| value(column, doc));
                numbered += usize::from(number.is_some());
                let names = length(&whole) + number.as_deref().map_or(0, length);
                assert_eq!(u64::from(title), id(length(&whole) - 1), "{whole}");
                assert_eq!(u64::from(name), id(names), "{whole} {number:?}");
            }
        }
        assert_eq!((heads, numbered), (files.len(), files.len()));
    }

    fn value(column: &StrColumn, doc: DocId) -> Option<String> {
        let ord = column.term_ords(doc).next()?;
        let mut value = String::new();
        column.ord_to_str(ord, &mut value).unwrap();
        Some(value)
    }
}
