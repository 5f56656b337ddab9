//! TEXT: pure functions on text that indexing and searching share, so that both sides agree.
//!
//! - [`fold`]: the matching form of a text, with each character's span in the original.
//! - [`haystack`]: where a CJK literal stands in a text, found without folding it where it can.
//! - [`traditional`]: the characters folding converts from traditional to simplified script.
//! - [`dates`]: dates as users, manifests and gazettes write them, normalised and compared.
//! - [`numerals`]: the numbers of article references (第二十三条, 第23条), spelled both ways.
//! - [`radicals`]: CJK radicals that a PDF's text layer writes for the ideographs they look like.

pub mod dates;
pub mod fold;
pub mod haystack;
pub mod numerals;
pub mod radicals;
mod traditional;
