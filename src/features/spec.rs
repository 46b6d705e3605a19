//! The feature space: its size ([`FeatureSpec`]) and the fingerprint of
//! everything that decides feature ids ([`FeatureSpec::hash`]), which a model
//! file records so that a model never meets features it was not trained on.

use crate::text::markers;
use crate::text::words::ROLE_STOPWORDS;
use crate::util::hash::{bytes, finish, mix};

/// Version of the feature definitions; bump on any change to what is extracted.
pub const SPEC_VERSION: u32 = 6;

/// Weight of a character n-gram relative to a word feature (there are many more
/// of them; scaling keeps them from swamping the word and structure features).
pub(super) const CHAR_WEIGHT: f32 = 0.35;

/// Parameters that fix the feature space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureSpec {
    /// Number of hash bits: the feature space has `2^bits` dimensions.
    pub bits: u32,
}

impl Default for FeatureSpec {
    fn default() -> Self {
        FeatureSpec { bits: 17 }
    }
}

impl FeatureSpec {
    /// Number of feature dimensions.
    pub fn dim(&self) -> usize {
        1usize << self.bits
    }

    /// A fingerprint of everything that decides feature ids: the spec version,
    /// the bit count, the marker lists and the character n-gram weight.
    pub fn hash(&self) -> u64 {
        let mut h = mix(u64::from(SPEC_VERSION), u64::from(self.bits));
        h = mix(h, u64::from(CHAR_WEIGHT.to_bits()));
        for (c, m) in markers::MARKERS {
            h = bytes(mix(h, u64::from(*c)), m.as_bytes());
        }
        for list in [
            markers::MODALS,
            markers::FIRST_SINGULAR,
            markers::FIRST_PLURAL,
            markers::SECOND,
            ROLE_STOPWORDS,
        ] {
            for w in list {
                h = bytes(h, w.as_bytes());
            }
        }
        finish(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_hash_depends_on_bits() {
        assert_ne!(
            FeatureSpec { bits: 17 }.hash(),
            FeatureSpec { bits: 18 }.hash()
        );
    }
}
