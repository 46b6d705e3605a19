//! Discourse markers, grouped into the categories a linguist would use to tell
//! claims from evidence: opinion, conclusion, contrast, addition, cause,
//! example, source (citations, studies, statistics) and introduction.
//!
//! Markers are matched on lower-cased word hashes, so matching costs a few
//! integer comparisons per token. The list is part of the feature spec: any
//! change alters [`crate::features::FeatureSpec::hash`], so an old model file
//! is rejected rather than silently misread.

/// Marker categories (the index is the feature id).
pub const CATEGORIES: [&str; 9] = [
    "opinion",
    "conclusion",
    "contrast",
    "addition",
    "cause",
    "example",
    "source",
    "intro",
    "condition",
];

/// `(category index, phrase)`: phrases are lower-case words separated by spaces.
pub const MARKERS: &[(u8, &str)] = &[
    (0, "i believe"),
    (0, "i think"),
    (0, "i feel"),
    (0, "in my opinion"),
    (0, "in my view"),
    (0, "my point of view"),
    (0, "i agree"),
    (0, "i disagree"),
    (0, "i strongly"),
    (0, "personally"),
    (0, "i would argue"),
    (0, "it is clear"),
    (0, "obviously"),
    (0, "clearly"),
    (1, "in conclusion"),
    (1, "to conclude"),
    (1, "to sum up"),
    (1, "in summary"),
    (1, "to summarize"),
    (1, "in short"),
    (1, "all in all"),
    (1, "overall"),
    (1, "in the end"),
    (1, "to wrap up"),
    (2, "however"),
    (2, "although"),
    (2, "though"),
    (2, "but"),
    (2, "on the other hand"),
    (2, "nevertheless"),
    (2, "despite"),
    (2, "whereas"),
    (2, "while"),
    (2, "admittedly"),
    (2, "some people"),
    (2, "others argue"),
    (2, "opponents"),
    (2, "even though"),
    (2, "some may say"),
    (2, "some might"),
    (3, "first"),
    (3, "firstly"),
    (3, "second"),
    (3, "secondly"),
    (3, "third"),
    (3, "thirdly"),
    (3, "moreover"),
    (3, "furthermore"),
    (3, "in addition"),
    (3, "additionally"),
    (3, "also"),
    (3, "another"),
    (3, "lastly"),
    (3, "first of all"),
    (3, "besides"),
    (3, "finally"),
    (4, "because"),
    (4, "since"),
    (4, "due to"),
    (4, "as a result"),
    (4, "therefore"),
    (4, "thus"),
    (4, "hence"),
    (4, "consequently"),
    (4, "so"),
    (4, "that is why"),
    (4, "this is why"),
    (4, "which means"),
    (4, "leads to"),
    (5, "for example"),
    (5, "for instance"),
    (5, "such as"),
    (5, "e g"),
    (5, "take for example"),
    (5, "like when"),
    (5, "when i was"),
    (5, "my friend"),
    (5, "one time"),
    (5, "imagine"),
    (6, "according to"),
    (6, "studies"),
    (6, "study"),
    (6, "research"),
    (6, "survey"),
    (6, "statistics"),
    (6, "percent"),
    (6, "scientists"),
    (6, "experts"),
    (6, "report"),
    (6, "data"),
    (6, "show that"),
    (6, "shows that"),
    (6, "found that"),
    (7, "nowadays"),
    (7, "these days"),
    (7, "today"),
    (7, "in recent years"),
    (7, "it is often said"),
    (7, "many people"),
    (7, "there is a debate"),
    (7, "controversial"),
    (7, "this essay"),
    (7, "dear"),
    (7, "have you ever"),
    (8, "if"),
    (8, "unless"),
    (8, "when"),
];

/// Modal verbs (hedging and obligation mark claims).
pub const MODALS: &[&str] = &[
    "should", "must", "would", "could", "can", "will", "may", "might", "shall", "ought",
    "need", "cannot", "shouldn't", "wouldn't", "can't", "won't",
];

/// First person singular, plural and second person pronouns.
pub const FIRST_SINGULAR: &[&str] = &["i", "me", "my", "mine", "myself", "i'm"];
/// First person plural pronouns.
pub const FIRST_PLURAL: &[&str] = &["we", "us", "our", "ours", "ourselves"];
/// Second person pronouns.
pub const SECOND: &[&str] = &["you", "your", "yours", "yourself"];

/// Function words that do not count towards title/essay overlap.
pub const STOPWORDS: &[&str] = &[
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "is", "are", "be", "it",
    "that", "this", "with", "as", "at", "by", "from", "their", "they", "them", "do", "does",
    "not", "more", "than", "should", "would", "can", "will", "have", "has", "i", "we", "you",
    "he", "she", "his", "her", "its", "was", "were", "but", "if", "so", "what", "which",
    "who", "how", "why", "there", "these", "those", "some", "all", "other", "people",
];
