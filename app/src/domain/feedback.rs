//! Participation and complaints of young people (Beteiligung und Beschwerde): what they
//! send, how it is checked, and what each audience sees of it.
//!
//! A submission goes to the young person's group or past it to the Fachberatung, named or
//! anonymous. Anonymous submissions carry a pickup code (Abholcode) made on the device:
//! the server keeps only its hash, and whoever knows the code can read the answers.

use super::choice::choices;
use super::ids::{FeedbackId, GroupId};
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::{fill, texts};
use serde::{Deserialize, Serialize};

/// Longest text a young person can send.
pub const TEXT_MAX: usize = 2000;
/// Longest answer.
pub const ANSWER_MAX: usize = 4000;
/// Characters of a pickup code: no 0/O, 1/I/L, so it can be read off paper. 32 of them,
/// so a random byte maps to one without bias (`byte % 32`).
pub const PICKUP_ALPHABET: &[u8; 32] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789#";
/// Characters of a pickup code (12 × 5 bits = 60 bits: not guessable at the rate limit).
pub const PICKUP_LEN: usize = 12;

choices!(
    /// Taking part in a decision, or complaining.
    FeedbackKind {
        Participation = "beteiligung" => fb_kind_participation,
        Complaint = "beschwerde" => fb_kind_complaint,
    }
);

choices!(
    /// What it is about (seed 000, section 1.2 and 4.5).
    Topic {
        PocketMoney = "taschengeld" => fb_topic_pocket_money,
        GoingOut = "ausgang" => fb_topic_going_out,
        Food = "essen" => fb_topic_food,
        Leisure = "freizeit" => fb_topic_leisure,
        Media = "medien" => fb_topic_media,
        Room = "zimmer" => fb_topic_room,
        Treatment = "behandlung" => fb_topic_treatment,
        Rights = "rechte" => fb_topic_rights,
        School = "schule" => fb_topic_school,
        Visits = "besuche" => fb_topic_visits,
        Other = "sonstiges" => fb_topic_other,
    }
);

impl Topic {
    /// The topics offered for a kind, in the order the form shows them.
    pub fn for_kind(kind: FeedbackKind) -> &'static [Topic] {
        use Topic::*;
        match kind {
            FeedbackKind::Participation => &[PocketMoney, GoingOut, Food, Leisure, Media, Room, Other],
            FeedbackKind::Complaint => &[Treatment, Rights, School, Food, Visits, Other],
        }
    }
}

choices!(
    /// How the young person feels about it (five faces).
    Mood {
        VeryGood = "sehr_gut" => fb_mood_very_good,
        Good = "gut" => fb_mood_good,
        Neutral = "mittel" => fb_mood_neutral,
        Bad = "schlecht" => fb_mood_bad,
        VeryBad = "sehr_schlecht" => fb_mood_very_bad,
    }
);

choices!(
    /// Who gets it: the group, or past the group to the Fachberatung.
    Recipient {
        Group = "gruppe" => fb_to_group,
        Advisor = "fachberatung" => fb_to_advisor,
    }
);

choices!(
    /// Where a submission stands.
    FeedbackStatus {
        Received = "eingegangen" => fb_status_received,
        InProgress = "in_bearbeitung" => fb_status_in_progress,
        Answered = "beantwortet" => fb_status_answered,
        Done = "erledigt" => fb_status_done,
    }
);

/// The form as the device collected it (strings, as typed). It travels sealed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    pub id: String,
    pub kind: String,
    pub topic: String,
    #[serde(default)]
    pub mood: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub recipient: String,
    /// "ja" for anonymous.
    #[serde(default)]
    pub anonymous: String,
    /// Made on the device for an anonymous submission.
    #[serde(default)]
    pub pickup_code: String,
}

/// A checked submission.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidFeedback {
    /// The device's id of the submission.
    pub id: FeedbackId,
    pub kind: FeedbackKind,
    pub topic: Topic,
    pub mood: Option<Mood>,
    pub text: String,
    pub recipient: Recipient,
    pub anonymous: bool,
    /// Normalized (`ABCD-EFGH-JKMN`); set exactly when anonymous.
    pub pickup_code: Option<String>,
}

/// Who sends: a young person with an account, or someone with only the group's link
/// (always anonymous, always to the Fachberatung).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    Account,
    Link,
}

impl FeedbackInput {
    pub fn validate(&self, sender: Sender) -> Result<ValidFeedback, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let id = FeedbackId::parse(&self.id);
        if id.is_none() {
            check.fail("id", t.fb_v_broken);
        }
        let kind = FeedbackKind::parse(&self.kind);
        if kind.is_none() {
            check.fail("kind", t.fb_v_kind);
        }
        let topic = Topic::parse(&self.topic).filter(|topic| kind.is_some_and(|k| Topic::for_kind(k).contains(topic)));
        if topic.is_none() {
            check.fail("topic", t.fb_v_topic);
        }
        let mood = match self.mood.trim() {
            "" => None,
            code => {
                let mood = Mood::parse(code);
                if mood.is_none() {
                    check.fail("mood", t.fb_v_mood);
                }
                mood
            }
        };
        let text = self.text.trim().to_owned();
        if text.chars().count() > TEXT_MAX {
            check.fail("text", fill(t.fb_v_too_long, &[("max", &TEXT_MAX.to_string())]));
        }
        if mood.is_none() && text.is_empty() && self.mood.trim().is_empty() {
            check.fail("text", t.fb_v_empty);
        }
        let recipient = match sender {
            Sender::Link => match self.recipient.trim() {
                "" | "fachberatung" => Some(Recipient::Advisor),
                _ => None,
            },
            Sender::Account => Recipient::parse(&self.recipient),
        };
        if recipient.is_none() {
            check.fail("recipient", t.fb_v_recipient);
        }
        let anonymous = match (sender, self.anonymous.trim()) {
            (Sender::Link, _) => true,
            (Sender::Account, "ja") => true,
            (Sender::Account, "" | "nein") => false,
            _ => {
                check.fail("anonymous", t.fb_v_broken);
                false
            }
        };
        let pickup_code = if anonymous {
            let code = normalize_pickup(&self.pickup_code);
            if code.is_none() {
                check.fail("pickup_code", t.fb_v_broken);
            }
            code
        } else {
            None
        };
        match (id, kind, topic, recipient) {
            (Some(id), Some(kind), Some(topic), Some(recipient)) => {
                check.finish(ValidFeedback { id, kind, topic, mood, text, recipient, anonymous, pickup_code })
            }
            _ => Err(check.errors),
        }
    }
}

/// A pickup code as typed (any case, with or without dashes and spaces) in its one
/// written form `ABCD-EFGH-JKMN`, or `None` if it cannot be one.
pub fn normalize_pickup(input: &str) -> Option<String> {
    let chars: Vec<u8> =
        input.trim().bytes().filter(|b| !matches!(b, b'-' | b' ')).map(|b| b.to_ascii_uppercase()).collect();
    if chars.len() != PICKUP_LEN || !chars.iter().all(|c| *c != b'#' && PICKUP_ALPHABET.contains(c)) {
        return None;
    }
    let text = String::from_utf8(chars).ok()?;
    Some(format!("{}-{}-{}", &text[0..4], &text[4..8], &text[8..12]))
}

/// A pickup code from random bytes (one character per byte, 31 usable symbols; a byte
/// that maps to the unused 32nd is skipped, so every symbol is equally likely).
pub fn pickup_from_random(bytes: &[u8]) -> Option<String> {
    let symbols: Vec<u8> =
        bytes.iter().map(|b| PICKUP_ALPHABET[(*b % 32) as usize]).filter(|c| *c != b'#').take(PICKUP_LEN).collect();
    normalize_pickup(std::str::from_utf8(&symbols).ok()?)
}

/// What the device seals: the form, and who sent it (an account, or the group's link).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedFeedback {
    #[serde(default)]
    pub author_id: Option<String>,
    #[serde(default)]
    pub group_token: Option<String>,
    pub feedback: FeedbackInput,
}

/// What a form needs before it can seal: the server key and, for the link form, the group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedbackForm {
    pub outbox_key: String,
    /// The account's id (account form) — sealed along, so another account cannot file it.
    pub author_id: Option<String>,
    /// The group's name on the link form ("Familienwohngruppe Sonnenhaus").
    pub group_name: String,
    pub token: Option<String>,
}

/// The answer to a delivered submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedbackReceipt {
    pub id: String,
    pub duplicate: bool,
}

/// One step on a submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedbackStep {
    /// UTC unix milliseconds.
    pub at: i64,
    /// `23.11.2026 14:05`, Berlin time (formatted on the server).
    pub when: String,
    /// For staff the person's name; for the young person who (role) answered.
    pub by: String,
    pub status: Option<FeedbackStatus>,
    pub answer: Option<String>,
}

/// A submission as staff, the Fachberatung and the young person see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedbackView {
    pub id: FeedbackId,
    pub group_id: GroupId,
    pub group_name: String,
    pub kind: FeedbackKind,
    pub topic: Topic,
    pub mood: Option<Mood>,
    /// Empty in lists and on the pickup page.
    pub text: String,
    pub recipient: Recipient,
    pub anonymous: bool,
    /// The young person's name, for named submissions seen by staff.
    pub author: Option<String>,
    pub received_on: String,
    pub status: FeedbackStatus,
    pub steps: Vec<FeedbackStep>,
    /// May the viewer set the status and answer?
    pub can_answer: bool,
}

/// A status change and/or an answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub answer: String,
}

impl AnswerInput {
    pub fn validate(&self) -> Result<(FeedbackStatus, Option<String>), Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let status = FeedbackStatus::parse(&self.status);
        if status.is_none() {
            check.fail("status", t.fb_v_status);
        }
        let answer = check.optional("answer", &self.answer, ANSWER_MAX);
        match status {
            Some(status) => check.finish((status, Some(answer).filter(|a| !a.is_empty()))),
            None => Err(check.errors),
        }
    }
}

/// A pickup code typed on the link page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupInput {
    pub code: String,
}

/// Which submissions a list shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackFilter {
    /// "" (all), "offen" (not done), or a status code.
    #[serde(default)]
    pub status: String,
}

/// Counts of one month, per group (no names, no texts).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthlyCounts {
    pub month: String,
    pub groups: Vec<GroupCounts>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupCounts {
    pub group_id: GroupId,
    pub group_name: String,
    pub rows: Vec<CountRow>,
}

/// One kind and topic, by status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountRow {
    pub kind: FeedbackKind,
    pub topic: Topic,
    /// In the order of `FeedbackStatus::ALL`.
    pub by_status: Vec<i64>,
}

impl CountRow {
    pub fn total(&self) -> i64 {
        self.by_status.iter().sum()
    }
}

/// A month as `YYYY-MM`, or `None`.
pub fn parse_month(input: &str) -> Option<(i32, u32)> {
    let (y, m) = input.trim().split_once('-')?;
    let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
    ((2000..=2100).contains(&y) && (1..=12).contains(&m) && input.trim().len() == 7).then_some((y, m))
}

/// The young person's login card, as printed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoginCard {
    pub display_name: String,
    pub login: String,
    pub url: String,
    /// The QR code as an SVG document (made on the server).
    pub qr_svg: String,
}

/// The group's link to the anonymous form, as printed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupLink {
    pub group_name: String,
    pub url: String,
    pub qr_svg: String,
}

/// A notice for the Fachberatung (an account locked after wrong PINs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub group_name: String,
    pub who: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> FeedbackInput {
        FeedbackInput {
            id: "0191d1c2-0000-7000-8000-000000000001".into(),
            kind: "beschwerde".into(),
            topic: "behandlung".into(),
            mood: "schlecht".into(),
            text: "Ich darf nie mit".into(),
            recipient: "fachberatung".into(),
            anonymous: String::new(),
            pickup_code: String::new(),
        }
    }

    #[test]
    fn a_named_complaint_to_the_fachberatung_is_valid() {
        let v = input().validate(Sender::Account).expect("valid");
        assert_eq!(v.recipient, Recipient::Advisor);
        assert!(!v.anonymous && v.pickup_code.is_none());
    }

    #[test]
    fn nothing_chosen_and_nothing_written_names_both_fields() {
        let empty = FeedbackInput { id: input().id, kind: "beschwerde".into(), ..Default::default() };
        let errors = empty.validate(Sender::Account).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"topic") && fields.contains(&"text") && fields.contains(&"recipient"), "{fields:?}");
    }

    #[test]
    fn a_topic_of_the_other_kind_is_refused() {
        let mut wrong = input();
        wrong.topic = "taschengeld".into();
        assert_eq!(wrong.validate(Sender::Account).unwrap_err()[0].field, "topic");
    }

    #[test]
    fn a_face_alone_is_enough_and_too_much_text_is_not() {
        let mut face = input();
        face.text = String::new();
        assert!(face.validate(Sender::Account).is_ok());
        let mut long = input();
        long.text = "x".repeat(TEXT_MAX + 1);
        assert_eq!(long.validate(Sender::Account).unwrap_err()[0].field, "text");
    }

    #[test]
    fn the_link_form_is_always_anonymous_and_to_the_fachberatung() {
        let mut link = input();
        link.recipient = String::new();
        link.pickup_code = "abcd efgh jkmn".into();
        let v = link.validate(Sender::Link).expect("valid");
        assert!(v.anonymous);
        assert_eq!(v.recipient, Recipient::Advisor);
        assert_eq!(v.pickup_code.as_deref(), Some("ABCD-EFGH-JKMN"));
        link.recipient = "gruppe".into();
        assert_eq!(link.validate(Sender::Link).unwrap_err()[0].field, "recipient");
    }

    #[test]
    fn anonymous_needs_a_pickup_code_of_the_right_shape() {
        let mut anon = input();
        anon.anonymous = "ja".into();
        assert_eq!(anon.validate(Sender::Account).unwrap_err()[0].field, "pickup_code");
        anon.pickup_code = "ABCD-EFGH-JKM0".into();
        assert!(anon.validate(Sender::Account).is_err());
    }

    #[test]
    fn pickup_codes_are_normalized_and_made_from_random_bytes() {
        assert_eq!(normalize_pickup("abcd-efgh-jkmn").as_deref(), Some("ABCD-EFGH-JKMN"));
        assert_eq!(normalize_pickup("ABCDEFGHJKM"), None);
        assert_eq!(normalize_pickup("ABCD-EFGH-JKM#"), None);
        let bytes: Vec<u8> = (0u8..=40).collect();
        let code = pickup_from_random(&bytes).expect("code");
        assert_eq!(normalize_pickup(&code), Some(code.clone()));
        assert_eq!(pickup_from_random(&[31u8; 40]), None);
    }

    #[test]
    fn an_answer_needs_a_status() {
        let a = AnswerInput { status: "beantwortet".into(), answer: " Danke! ".into() };
        assert_eq!(a.validate().expect("valid"), (FeedbackStatus::Answered, Some("Danke!".into())));
        assert_eq!(AnswerInput::default().validate().unwrap_err()[0].field, "status");
    }

    #[test]
    fn months_are_checked() {
        assert_eq!(parse_month("2026-11"), Some((2026, 11)));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("2026-1"), None);
    }
}
