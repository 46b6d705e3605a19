//! The role model for essays whose paragraphs the break model restored.
//!
//! Why a second model: an essay pasted without any paragraph breaks gets them
//! back from `segment::breaks`, which finds four in five of AAE dev's breaks
//! and about half of PERSUADE dev's. The main
//! model trusts paragraph positions (the introduction's last sentence, a body
//! paragraph's first) that are then often wrong. This one has the main
//! recipe, trained on the training essays pasted flat with their paragraphs
//! restored the same way, so it learns how far restored paragraphs can be
//! trusted. It has 2^16 feature buckets (1.6 MB) to keep the binary small, and
//! is parsed only when the first such essay comes (`models/README.md`).

use super::Model;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::features::{extract, Features, Scratch};
use std::sync::LazyLock;

/// The shipped restored-paragraph role model's bytes.
pub static EMBEDDED_RESTORED_MODEL: &[u8] = include_bytes!("../../models/roles-restored.bin");

static RESTORED: LazyLock<std::result::Result<Model, String>> = LazyLock::new(|| {
    Model::from_embedded_bytes("<embedded roles-restored.bin>", EMBEDDED_RESTORED_MODEL)
        .map_err(|e| e.to_string())
});

/// The role model for essays whose paragraphs were restored, parsed on first use.
///
/// # Errors
/// [`Error::Model`] if the embedded file is corrupt (a build problem).
pub fn embedded_restored() -> Result<&'static Model> {
    RESTORED.as_ref().map_err(|m| Error::Model {
        what: "<embedded roles-restored.bin>".into(),
        message: m.clone(),
    })
}

/// Whether the restored-paragraph model `model` reads `doc`, an essay whose
/// paragraphs were restored: when its register head calls it school writing.
/// On held-out training essays pasted flat it read those better than the main
/// recipe trained on the same essays, and university-level ones no better, so
/// these keep the main model, which saw more of them (`models/README.md`).
pub(crate) fn reads(model: &Model, doc: &Document) -> bool {
    let mut feats = Features::default();
    extract(&model.spec, doc, &mut feats, &mut Scratch::default());
    model.register_of(&feats) < 0.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_restored_model_loads_and_passes_its_checksum() {
        let m = embedded_restored().unwrap();
        // The start-up parse skips the checksum; the file must still pass it.
        let checked = Model::from_bytes("roles-restored.bin", EMBEDDED_RESTORED_MODEL).unwrap();
        assert_eq!(checked.spec, m.spec);
        assert_eq!(checked.weights, m.weights);
        assert!(m.weights.iter().any(|&w| w != 0.0), "trained");
    }
}
