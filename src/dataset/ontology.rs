//! The schema of the embedded dataset (the project's ontology), as data the validator reads.

/// The labels of the ontology, each with its allowed `kind`s (`None`: any kind).
pub(crate) const LABELS: &[(&str, Option<&[&str]>)] = &[
    ("Company", None),
    ("Government", None),
    ("Institution", None),
    ("Place", None),
    ("Event", Some(&["expo", "summit", "forum", "ceremony", "award"])),
    ("Product", Some(&["drug", "device", "test"])),
    ("Person", Some(&[])),
    ("Project", None),
    ("Policy", None),
];

/// The node properties an entity may carry besides `label`.
pub(crate) const NODE_KEYS: &[&str] = &[
    "name",
    "name_zh",
    "aliases",
    "kind",
    "country",
    "date",
    "date_precision",
    "edition",
];

/// Relationship types with the properties (besides the provenance keys `source`, `basis` and
/// `evidence`) each may carry.
pub(crate) const REL_TYPES: &[(&str, &[&str])] = &[
    (
        "SIGNS_WITH",
        &["date", "date_precision", "event", "title", "witness", "status"],
    ),
    (
        "INVESTS_IN",
        &["amount", "currency", "date", "date_precision", "purpose"],
    ),
    ("LOCATED_IN", &["facility"]),
    (
        "PARTICIPATES_IN",
        &[
            "agreements_signed",
            "partners_count",
            "procurement_amount",
            "currency",
            "amount_qualifier",
        ],
    ),
    ("ORGANIZES", &["role"]),
    ("HELD_IN", &[]),
    ("FOUNDS", &["date", "date_precision", "role"]),
    ("DEVELOPS", &[]),
    ("WORKS_FOR", &["role"]),
    ("PART_OF", &[]),
    ("ISSUES", &["date", "date_precision"]),
    ("MEMBER_OF", &[]),
    ("ADMINISTERS", &[]),
    ("APPLIES_TO", &[]),
    (
        "RECEIVES",
        &["date", "date_precision", "prize_amount", "currency"],
    ),
    ("LISTED_IN", &["rank"]),
];

/// The values of `status` on `SIGNS_WITH`: what the text asserts of the deal.
pub(crate) const STATUSES: &[&str] = &["signed", "renewed", "negotiated", "cooperation", "announced"];

/// The values of `basis`: how a fact is known.
pub(crate) const BASES: &[&str] = &["stated", "name", "context", "world"];

/// The `source` of facts that come from general knowledge of places, not from a document.
pub(crate) const GAZETTEER: &str = "gazetteer";

/// The longest `evidence` phrase, in characters.
pub(crate) const EVIDENCE_MAX_CHARS: usize = 20;

/// The five source documents, by file name without `.txt`.
pub(crate) const SOURCES: &[&str] = &[
    "000_829221f228b32901",
    "001_e0d1812e1d7dabb9",
    "002_d941ef6b52149710",
    "003_241209830042b96d",
    "004_7bfd2b9734327095",
];
