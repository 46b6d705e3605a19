//! Reading essay text from files and streams.
//!
//! Decoding is strict by default: a non-UTF-8 input is an error naming the byte
//! offset of the first bad byte, so nothing is silently mangled. `lossy` replaces
//! bad bytes with U+FFFD instead. A UTF-8 byte-order mark is dropped, so offsets
//! count from the first character of the essay.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// Decodes `bytes` (from `what`, a name for messages) into essay text.
///
/// # Errors
/// [`Error::InvalidUtf8`] when `bytes` is not UTF-8 and `lossy` is false.
pub fn decode(what: &str, bytes: Vec<u8>, lossy: bool) -> Result<String> {
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) if lossy => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        Err(e) => {
            return Err(Error::InvalidUtf8 {
                what: what.to_string(),
                offset: e.utf8_error().valid_up_to(),
            })
        }
    };
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Reads an essay from `path`, or from standard input when `path` is `-`.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read, [`Error::InvalidUtf8`] as in [`decode`].
pub fn read_text(path: &Path, lossy: bool) -> Result<String> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("<stdin>", e))?;
    } else {
        bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    }
    decode(&path.display().to_string(), bytes, lossy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_offset_of_first_bad_byte() {
        let err = decode("x.txt", b"ok \xff bad".to_vec(), false).unwrap_err();
        assert!(matches!(err, Error::InvalidUtf8 { offset: 3, .. }));
        assert_eq!(err.kind(), "invalid_utf8");
    }

    #[test]
    fn lossy_replaces_and_bom_is_dropped() {
        assert_eq!(decode("x", b"a\xffb".to_vec(), true).unwrap(), "a\u{fffd}b");
        assert_eq!(decode("x", "\u{feff}Hi.".into(), false).unwrap(), "Hi.");
    }
}
