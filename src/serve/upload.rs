//! Uploads that are not plain text: `.docx` essays (what teachers have) and
//! `.zip` files of a class's `.txt`/`.md`/`.docx` essays.

use super::error::ApiError;
use crate::batch::read::{self, Failed, Item, ReadOptions};
use crate::error::Error;
use std::io::{Cursor, Read};

/// Markup in `word/document.xml` outweighs its text many times; past this
/// multiple of the text limit a part is refused before it is inflated.
const XML_PER_TEXT: usize = 32;

/// Files in one `.zip` upload.
const MAX_ZIP_FILES: usize = 100_000;

/// The text of a `.docx` document: its paragraphs, separated by blank lines
/// as in a `.txt` essay. Parts larger than `limit` bytes (inflated) are
/// refused, so a small upload cannot inflate into a huge one.
pub(crate) fn docx_text(bytes: &[u8], limit: usize) -> Result<String, Error> {
    let bad = |message: String| Error::BadRecord {
        what: "docx".into(),
        message,
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad(format!("not a .docx file (not a zip archive: {e})")))?;
    let xml_limit = limit.saturating_mul(XML_PER_TEXT);
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|e| bad(format!("unreadable .docx: {e}")))?;
        if f.size() as usize > xml_limit {
            return Err(Error::TooLarge {
                what: f.name().to_string(),
                size: usize::try_from(f.size()).unwrap_or(usize::MAX),
                limit: xml_limit,
            });
        }
    }
    let doc = docx_lite::parse_document(Cursor::new(bytes))
        .map_err(|e| bad(format!("unreadable .docx: {e}")))?;
    let text = doc
        .paragraphs
        .iter()
        .map(|p| p.to_text())
        .filter(|t| !t.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok(text)
}

/// Whether `name` is an essay file of a class upload.
fn essay_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    // macOS adds resource forks (`__MACOSX/`, `._name`) to the zips it makes.
    !lower.starts_with("__macosx/")
        && !base.starts_with("._")
        && [".txt", ".md", ".docx"].iter().any(|e| base.ends_with(e))
}

/// The records of a `.zip` upload: every `.txt`, `.md` and `.docx` file in
/// it, by name (the id), read lazily, each checked as `batch` checks a file.
pub(crate) fn zip_records<B: AsRef<[u8]> + Send + 'static>(
    bytes: B,
    opts: ReadOptions,
) -> Result<impl Iterator<Item = Item> + Send, ApiError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ApiError::unprocessable("bad_document", format!("not a zip archive: {e}")))?;
    let mut names: Vec<String> = zip
        .file_names()
        .filter(|n| !n.ends_with('/') && essay_file(n))
        .map(str::to_string)
        .collect();
    if names.len() > MAX_ZIP_FILES {
        return Err(ApiError::unprocessable(
            "bad_document",
            format!(
                "the zip holds {} essays, over the limit of {MAX_ZIP_FILES}",
                names.len()
            ),
        ));
    }
    if names.is_empty() {
        return Err(ApiError::unprocessable(
            "empty",
            "the zip holds no .txt, .md or .docx file",
        ));
    }
    names.sort();
    Ok(names.into_iter().map(move |id| {
        let text = read_entry(&mut zip, &id, opts);
        match text {
            Ok(text) => read::text_record(id, text, opts),
            Err(error) => Err(Failed { id, error }),
        }
    }))
}

fn read_entry<B: AsRef<[u8]>>(
    zip: &mut zip::ZipArchive<Cursor<B>>,
    id: &str,
    opts: ReadOptions,
) -> Result<String, Error> {
    let bad = |e: zip::result::ZipError| Error::BadRecord {
        what: id.to_string(),
        message: format!("cannot read it from the zip: {e}"),
    };
    let docx = id.to_ascii_lowercase().ends_with(".docx");
    // A .docx is itself a zip of XML, larger than its text.
    let limit = if docx {
        opts.max_bytes.saturating_mul(XML_PER_TEXT)
    } else {
        opts.max_bytes
    };
    let entry = zip.by_name(id).map_err(bad)?;
    let too_large = |size: u64| Error::TooLarge {
        what: id.to_string(),
        size: usize::try_from(size).unwrap_or(usize::MAX),
        limit,
    };
    if entry.size() > limit as u64 {
        return Err(too_large(entry.size()));
    }
    let mut bytes = Vec::new();
    entry
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(id, e))?;
    if bytes.len() > limit {
        return Err(too_large(bytes.len() as u64));
    }
    if docx {
        docx_text(&bytes, opts.max_bytes).map_err(|e| match e {
            Error::BadRecord { message, .. } => Error::BadRecord {
                what: id.to_string(),
                message,
            },
            other => other,
        })
    } else {
        crate::io::decode(id, bytes, opts.lossy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_essay_files_and_skips_macos_litter() {
        assert!(essay_file("class/ana.txt"));
        assert!(essay_file("BEN.DOCX"));
        assert!(essay_file("notes.md"));
        assert!(!essay_file("__MACOSX/class/._ana.txt"));
        assert!(!essay_file("class/._ana.txt"));
        assert!(!essay_file("photo.png"));
    }

    #[test]
    fn a_file_that_is_not_a_zip_is_refused() {
        assert!(docx_text(b"plain text", 1000).is_err());
        assert!(zip_records(b"plain text".to_vec(), ReadOptions::default()).is_err());
    }
}
