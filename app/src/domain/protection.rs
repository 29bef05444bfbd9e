//! Kinderschutz: the procedure of § 8a SGB VIII as the service description sets it out
//! (seed 000). An observation that a child's welfare may be at risk is written on the
//! phone in under a minute; it alerts Leitung and the group's Fachberatung at once. The
//! procedure (`ChildProtectionCase`) then records its steps, each with who, when and with
//! whom: Ersteinschätzung, Gefährdungseinschätzung, the consultation of the insoweit
//! erfahrene Fachkraft, the involvement of parents and child, the help worked towards,
//! the notice to the youth office, Wiedervorlage and Abschluss.
//!
//! A step is signed by its author when it is recorded and can never be changed; a second
//! professional co-signs it and Leitung takes note of it. A correction is a new step that
//! names the one it corrects and why.

use super::choice::choices;
use super::entry::{entry_date, entry_id, time_of_day};
use super::ids::{CaseId, ObservationId, StepId, UserId, YouthId};
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use serde::{Deserialize, Serialize};

pub const FACT_MAX: usize = 4000;
pub const ASSESSMENT_MAX: usize = 2000;
pub const TEXT_MAX: usize = 4000;
pub const SHORT_MAX: usize = 300;
pub const REASON_MAX: usize = 1000;
/// Hours within which Leitung takes note of an observation (default).
pub const ACK_HOURS: i64 = 24;
/// Working days within which the insoweit erfahrene Fachkraft is consulted (default).
pub const SPECIALIST_WORKING_DAYS: u32 = 3;
/// Days until the Wiedervorlage (default: four weeks).
pub const REVIEW_DAYS: i64 = 28;

choices!(
    /// Where what an observation records comes from.
    ObservationSource {
        Seen = "selbst" => cp_source_seen,
        ChildSays = "kind" => cp_source_child,
        Others = "dritte" => cp_source_others,
    }
);

choices!(
    /// The result of the Ersteinschätzung.
    FirstResult {
        NoIndications = "keine" => cp_first_none,
        Indications = "anhaltspunkte" => cp_first_indications,
        Acute = "akut" => cp_first_acute,
    }
);

choices!(
    /// The result of a procedure, in the four categories of the official § 8a statistics.
    Outcome {
        Acute = "akut" => cp_outcome_acute,
        Latent = "latent" => cp_outcome_latent,
        HelpNeeded = "hilfebedarf" => cp_outcome_help,
        Nothing = "kein_hilfebedarf" => cp_outcome_nothing,
    }
);

choices!(
    /// The forms of danger of the statistics (several possible).
    DangerForm {
        Neglect = "vernachlaessigung" => cp_form_neglect,
        Psychological = "psychisch" => cp_form_psychological,
        Physical = "koerperlich" => cp_form_physical,
        Sexual = "sexuell" => cp_form_sexual,
    }
);

choices!(
    /// Whether parents or the group-home adults accept the problem.
    Acceptance {
        Yes = "ja" => cp_accept_yes,
        Partly = "teilweise" => cp_accept_partly,
        No = "nein" => cp_accept_no,
        Unclear = "unklar" => cp_accept_unclear,
    }
);

choices!(
    /// How the youth office was told.
    Channel {
        Phone = "telefon" => cp_channel_phone,
        Letter = "schriftlich" => cp_channel_letter,
        Person = "persoenlich" => cp_channel_person,
        Mail = "email" => cp_channel_mail,
    }
);

choices!(
    /// The steps of the procedure, in the order of the service description.
    StepKind {
        First = "ersteinschaetzung" => cp_step_first,
        Assessment = "gefaehrdungseinschaetzung" => cp_step_assessment,
        Specialist = "fachkraft" => cp_step_specialist,
        Involvement = "einbeziehung" => cp_step_involvement,
        Help = "hilfen" => cp_step_help,
        Notice = "mitteilung" => cp_step_notice,
        Review = "wiedervorlage" => cp_step_review,
        Closing = "abschluss" => cp_step_closing,
    }
);

choices!(
    /// The deadlines of a procedure.
    DeadlineKind {
        Acknowledge = "kenntnisnahme" => cp_deadline_ack,
        Specialist = "fachkraft" => cp_deadline_specialist,
        Review = "wiedervorlage" => cp_deadline_review,
    }
);

choices!(
    /// Who signs a step besides its author.
    SignRole {
        Second = "zweitkraft" => cp_sign_second,
        Acknowledgement = "leitung" => cp_sign_leitung,
    }
);

// ------------------------------------------------------------------ observation

/// The observation form, as typed (or as sealed on the phone).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservationInput {
    /// Made on the device when "Speichern" is pressed.
    pub id: String,
    #[serde(default)]
    pub youth_id: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub time: String,
    /// What was seen or heard: facts only.
    #[serde(default)]
    pub fact: String,
    #[serde(default)]
    pub source: String,
    /// The writer's own assessment, kept apart from the facts.
    #[serde(default)]
    pub assessment: String,
}

/// A checked observation.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidObservation {
    pub id: super::ids::ObservationId,
    pub youth_id: YouthId,
    pub date: NaiveDate,
    pub time: String,
    pub body: ObservationBody,
}

/// What an observation says, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservationBody {
    pub fact: String,
    pub source: ObservationSource,
    pub assessment: String,
}

impl ObservationInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ValidObservation, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let id = entry_id(&mut check, &self.id);
        let youth_id = YouthId::parse(self.youth_id.trim());
        if youth_id.is_none() {
            check.fail("youth_id", t.v_unknown_youth);
        }
        let date = entry_date(&mut check, &self.date, today);
        let time = time_of_day(&mut check, &self.time);
        let fact = check.required("fact", &self.fact, FACT_MAX);
        let source = ObservationSource::parse(&self.source);
        if source.is_none() {
            check.fail("source", t.v_cp_source);
        }
        let assessment = check.optional("assessment", &self.assessment, ASSESSMENT_MAX);
        match (id, youth_id, date, time, source) {
            (Some(id), Some(youth_id), Some(date), Some(time), Some(source)) => check.finish(ValidObservation {
                id,
                youth_id,
                date,
                time,
                body: ObservationBody { fact, source, assessment },
            }),
            _ => Err(check.errors),
        }
    }

    /// The form's fields as a form post names them (`input[...]`).
    pub fn from_fields(fields: &[(String, String)]) -> ObservationInput {
        use super::entry::form_value;
        ObservationInput {
            id: form_value(fields, "id"),
            youth_id: form_value(fields, "youth_id"),
            date: form_value(fields, "date"),
            time: form_value(fields, "time"),
            fact: form_value(fields, "fact"),
            source: form_value(fields, "source"),
            assessment: form_value(fields, "assessment"),
        }
    }
}

/// What the device seals for an observation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedObservation {
    pub author_id: String,
    pub observation: ObservationInput,
}

/// What the procedure is started from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenInput {
    /// Made when the form is drawn: a second send opens no second procedure (409).
    #[serde(default)]
    pub key: String,
    /// An observation's id, an incident's, or a young person's.
    #[serde(default)]
    pub from: String,
    /// For an incident of several young people: which one the procedure is about.
    #[serde(default)]
    pub youth_id: String,
    /// "ja" when the danger may come from the adults of the group home.
    #[serde(default)]
    pub concerns_staff: String,
}

/// Adding someone to a procedure.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    #[serde(default)]
    pub user_id: String,
}

/// A signature besides the author's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInput {
    #[serde(default)]
    pub signed_as: String,
}

// ------------------------------------------------------------------ steps

/// "Ja, am [Datum]" or "Nein, weil …": whether parents or the child were involved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "involved", rename_all = "lowercase")]
pub enum Involved {
    Ja { on: NaiveDate },
    Nein { reason: String },
}

/// Who was told of an acute danger, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Informed {
    pub whom: String,
    /// "2026-12-03T14:05" (Europe/Berlin).
    pub at: NaiveDateTime,
}

/// What a step records beyond its date and participants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum StepBody {
    First {
        result: FirstResult,
        /// Only with an acute danger: required then.
        informed: Option<Informed>,
        text: String,
    },
    Assessment {
        intensity: String,
        frequency: String,
        duration: String,
        probability: String,
        parents_accept: Acceptance,
        staff_accept: Acceptance,
        text: String,
    },
    Specialist {
        specialist: String,
        advice: String,
        dissent: String,
        next_steps: String,
        due: Option<NaiveDate>,
    },
    Involvement {
        parents: Involved,
        child: Involved,
    },
    Help {
        agreements: String,
        deadline: Option<NaiveDate>,
    },
    Notice {
        recipient: String,
        channel: Channel,
        at: NaiveDateTime,
    },
    Review {
        text: String,
        next_review: Option<NaiveDate>,
    },
    Closing {
        outcome: Outcome,
        forms: Vec<DangerForm>,
        informed: Option<Informed>,
        text: String,
    },
}

impl StepBody {
    pub fn kind(&self) -> StepKind {
        match self {
            StepBody::First { .. } => StepKind::First,
            StepBody::Assessment { .. } => StepKind::Assessment,
            StepBody::Specialist { .. } => StepKind::Specialist,
            StepBody::Involvement { .. } => StepKind::Involvement,
            StepBody::Help { .. } => StepKind::Help,
            StepBody::Notice { .. } => StepKind::Notice,
            StepBody::Review { .. } => StepKind::Review,
            StepBody::Closing { .. } => StepKind::Closing,
        }
    }

    /// Whether this step records an acute danger (then someone was told at a time).
    pub fn acute(&self) -> bool {
        matches!(
            self,
            StepBody::First { result: FirstResult::Acute, .. } | StepBody::Closing { outcome: Outcome::Acute, .. }
        )
    }

    /// The step's content as labelled lines, for the page and the PDF.
    pub fn lines(&self) -> Vec<(&'static str, String)> {
        let t = texts();
        let date = |d: &NaiveDate| d.format("%d.%m.%Y").to_string();
        let at = |d: &NaiveDateTime| d.format("%d.%m.%Y, %H:%M").to_string();
        let involved = |i: &Involved| match i {
            Involved::Ja { on } => crate::i18n::fill(t.cp_involved_yes, &[("date", &date(on))]),
            Involved::Nein { reason } => crate::i18n::fill(t.cp_involved_no, &[("reason", reason)]),
        };
        let informed = |i: &Option<Informed>, out: &mut Vec<(&'static str, String)>| {
            if let Some(i) = i {
                out.push((t.cp_informed_whom, i.whom.clone()));
                out.push((t.cp_informed_at, at(&i.at)));
            }
        };
        let mut out: Vec<(&'static str, String)> = Vec::new();
        match self {
            StepBody::First { result, informed: told, text } => {
                out.push((t.cp_result, result.label().to_owned()));
                informed(told, &mut out);
                out.push((t.cp_notes, text.clone()));
            }
            StepBody::Assessment {
                intensity,
                frequency,
                duration,
                probability,
                parents_accept,
                staff_accept,
                text,
            } => {
                out.push((t.cp_intensity, intensity.clone()));
                out.push((t.cp_frequency, frequency.clone()));
                out.push((t.cp_duration, duration.clone()));
                out.push((t.cp_probability, probability.clone()));
                out.push((t.cp_parents_accept, parents_accept.label().to_owned()));
                out.push((t.cp_staff_accept, staff_accept.label().to_owned()));
                out.push((t.cp_assessment_text, text.clone()));
            }
            StepBody::Specialist { specialist, advice, dissent, next_steps, due } => {
                out.push((t.cp_specialist, specialist.clone()));
                out.push((t.cp_advice, advice.clone()));
                out.push((t.cp_dissent, dissent.clone()));
                out.push((t.cp_next_steps, next_steps.clone()));
                if let Some(d) = due {
                    out.push((t.cp_due, date(d)));
                }
            }
            StepBody::Involvement { parents, child } => {
                out.push((t.cp_parents_involved, involved(parents)));
                out.push((t.cp_child_involved, involved(child)));
            }
            StepBody::Help { agreements, deadline } => {
                out.push((t.cp_agreements, agreements.clone()));
                if let Some(d) = deadline {
                    out.push((t.cp_deadline, date(d)));
                }
            }
            StepBody::Notice { recipient, channel, at: when } => {
                out.push((t.cp_recipient, recipient.clone()));
                out.push((t.cp_channel, channel.label().to_owned()));
                out.push((t.cp_notice_at, at(when)));
            }
            StepBody::Review { text, next_review } => {
                out.push((t.cp_notes, text.clone()));
                if let Some(d) = next_review {
                    out.push((t.cp_next_review, date(d)));
                }
            }
            StepBody::Closing { outcome, forms, informed: told, text } => {
                out.push((t.cp_outcome, outcome.label().to_owned()));
                if !forms.is_empty() {
                    out.push((t.cp_forms, forms.iter().map(|f| f.label()).collect::<Vec<_>>().join(", ")));
                }
                informed(told, &mut out);
                out.push((t.cp_notes, text.clone()));
            }
        }
        out.retain(|(_, v)| !v.is_empty());
        out
    }
}

/// The step form, as typed. One form for every kind: the fields a kind does not use
/// stay empty, and are refused when they are not.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// Made when the form is drawn: a second send of the same form is refused (409).
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub kind: String,
    /// When the step took place.
    #[serde(default)]
    pub date: String,
    /// With whom ("Frau K. (Leitung), Herr M. (Fachberatung)").
    #[serde(default)]
    pub participants: String,
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub informed_whom: String,
    /// "2026-12-03T14:05", as a datetime-local input sends it.
    #[serde(default)]
    pub informed_at: String,
    #[serde(default)]
    pub intensity: String,
    #[serde(default)]
    pub frequency: String,
    #[serde(default)]
    pub duration: String,
    #[serde(default)]
    pub probability: String,
    #[serde(default)]
    pub parents_accept: String,
    #[serde(default)]
    pub staff_accept: String,
    #[serde(default)]
    pub specialist: String,
    #[serde(default)]
    pub advice: String,
    #[serde(default)]
    pub dissent: String,
    #[serde(default)]
    pub next_steps: String,
    #[serde(default)]
    pub due: String,
    /// "ja" / "nein".
    #[serde(default)]
    pub parents_involved: String,
    #[serde(default)]
    pub parents_on: String,
    #[serde(default)]
    pub parents_reason: String,
    #[serde(default)]
    pub child_involved: String,
    #[serde(default)]
    pub child_on: String,
    #[serde(default)]
    pub child_reason: String,
    #[serde(default)]
    pub agreements: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub recipient: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub notice_at: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub forms: Vec<String>,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub next_review: String,
    /// The step this one corrects (a signed step is never changed).
    #[serde(default)]
    pub corrects: String,
    #[serde(default)]
    pub reason: String,
}

/// A checked step.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidStep {
    pub date: NaiveDate,
    pub participants: String,
    pub body: StepBody,
    /// The step corrected, and why.
    pub corrects: Option<(StepId, String)>,
}

fn optional_date(check: &mut Check, field: &str, value: &str) -> Option<NaiveDate> {
    if value.trim().is_empty() { None } else { check.date(field, value) }
}

/// "2026-12-03T14:05" (datetime-local) or "03.12.2026 14:05".
pub(crate) fn date_time(check: &mut Check, field: &str, value: &str) -> Option<NaiveDateTime> {
    let value = value.trim();
    if value.is_empty() {
        check.fail(field, texts().v_required);
        return None;
    }
    let parsed = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%d.%m.%Y %H:%M"));
    match parsed {
        Ok(at) => Some(at),
        Err(_) => {
            check.fail(field, texts().v_cp_date_time);
            None
        }
    }
}

fn not_future(check: &mut Check, field: &str, date: Option<NaiveDate>, today: NaiveDate) -> Option<NaiveDate> {
    match date {
        Some(d) if d > today => {
            check.fail(field, texts().v_cp_future);
            None
        }
        other => other,
    }
}

fn involved(
    check: &mut Check,
    prefix: &str,
    yes_no: &str,
    on: &str,
    reason: &str,
    today: NaiveDate,
) -> Option<Involved> {
    let t = texts();
    let field = format!("{prefix}_involved");
    match check.yes_no(&field, yes_no, t.v_cp_involved)? {
        true => {
            let on = check.date(&format!("{prefix}_on"), on);
            not_future(check, &format!("{prefix}_on"), on, today).map(|on| Involved::Ja { on })
        }
        false => {
            let reason_field = format!("{prefix}_reason");
            let reason = check.optional(&reason_field, reason, REASON_MAX);
            if reason.is_empty() {
                check.fail(&reason_field, t.v_cp_involved_reason);
                None
            } else {
                Some(Involved::Nein { reason })
            }
        }
    }
}

fn informed(check: &mut Check, whom: &str, at: &str, today: NaiveDate) -> Option<Informed> {
    let t = texts();
    let whom = check.optional("informed_whom", whom, SHORT_MAX);
    let at = if at.trim().is_empty() {
        check.fail("informed_at", t.v_cp_acute_time);
        None
    } else {
        date_time(check, "informed_at", at)
    };
    if whom.is_empty() {
        check.fail("informed_whom", t.v_cp_acute_whom);
    }
    let at = at.filter(|at| {
        let ok = at.date() <= today;
        if !ok {
            check.fail("informed_at", t.v_cp_future);
        }
        ok
    })?;
    (!whom.is_empty()).then_some(Informed { whom, at })
}

impl StepInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ValidStep, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let Some(kind) = StepKind::parse(&self.kind) else {
            check.fail("kind", t.v_cp_step_kind);
            return Err(check.errors);
        };
        let date = check.date("date", &self.date);
        let date = not_future(&mut check, "date", date, today);
        let participants = check.optional("participants", &self.participants, TEXT_MAX);
        if matches!(kind, StepKind::First | StepKind::Assessment) && participants.is_empty() {
            check.fail("participants", t.v_cp_participants);
        }
        let text = check.optional("text", &self.text, TEXT_MAX);
        let acceptance = |check: &mut Check, field: &str, value: &str| {
            let parsed = Acceptance::parse(value);
            if parsed.is_none() {
                check.fail(field, t.v_cp_acceptance);
            }
            parsed
        };
        let body = match kind {
            StepKind::First => match FirstResult::parse(&self.result) {
                None => {
                    check.fail("result", t.v_cp_result);
                    None
                }
                Some(result) => {
                    let told = if result == FirstResult::Acute {
                        informed(&mut check, &self.informed_whom, &self.informed_at, today)
                    } else {
                        None
                    };
                    if result == FirstResult::Acute && told.is_none() {
                        None
                    } else {
                        Some(StepBody::First { result, informed: told, text })
                    }
                }
            },
            StepKind::Assessment => {
                let intensity = check.required("intensity", &self.intensity, TEXT_MAX);
                let frequency = check.required("frequency", &self.frequency, TEXT_MAX);
                let duration = check.required("duration", &self.duration, TEXT_MAX);
                let probability = check.required("probability", &self.probability, TEXT_MAX);
                let parents = acceptance(&mut check, "parents_accept", &self.parents_accept);
                let staff = acceptance(&mut check, "staff_accept", &self.staff_accept);
                match (parents, staff) {
                    (Some(parents_accept), Some(staff_accept)) => Some(StepBody::Assessment {
                        intensity,
                        frequency,
                        duration,
                        probability,
                        parents_accept,
                        staff_accept,
                        text,
                    }),
                    _ => None,
                }
            }
            StepKind::Specialist => Some(StepBody::Specialist {
                specialist: check.required("specialist", &self.specialist, SHORT_MAX),
                advice: check.required("advice", &self.advice, TEXT_MAX),
                dissent: check.optional("dissent", &self.dissent, TEXT_MAX),
                next_steps: check.optional("next_steps", &self.next_steps, TEXT_MAX),
                due: optional_date(&mut check, "due", &self.due),
            }),
            StepKind::Involvement => {
                let parents = involved(
                    &mut check,
                    "parents",
                    &self.parents_involved,
                    &self.parents_on,
                    &self.parents_reason,
                    today,
                );
                let child =
                    involved(&mut check, "child", &self.child_involved, &self.child_on, &self.child_reason, today);
                match (parents, child) {
                    (Some(parents), Some(child)) => Some(StepBody::Involvement { parents, child }),
                    _ => None,
                }
            }
            StepKind::Help => Some(StepBody::Help {
                agreements: check.required("agreements", &self.agreements, TEXT_MAX),
                deadline: optional_date(&mut check, "deadline", &self.deadline),
            }),
            StepKind::Notice => {
                let recipient = check.required("recipient", &self.recipient, SHORT_MAX);
                let channel = Channel::parse(&self.channel);
                if channel.is_none() {
                    check.fail("channel", t.v_cp_channel);
                }
                let at = date_time(&mut check, "notice_at", &self.notice_at);
                match (channel, at) {
                    (Some(channel), Some(at)) if at.date() <= today => {
                        Some(StepBody::Notice { recipient, channel, at })
                    }
                    (_, Some(_)) => {
                        check.fail("notice_at", t.v_cp_future);
                        None
                    }
                    _ => None,
                }
            }
            StepKind::Review => {
                let next_review = optional_date(&mut check, "next_review", &self.next_review);
                if next_review.is_some_and(|d| d <= today) {
                    check.fail("next_review", t.v_cp_next_review);
                }
                Some(StepBody::Review { text: check.required("text", &self.text, TEXT_MAX), next_review })
            }
            StepKind::Closing => {
                let outcome = Outcome::parse(&self.outcome);
                if outcome.is_none() {
                    check.fail("outcome", t.v_cp_outcome);
                }
                let mut forms = Vec::new();
                for code in &self.forms {
                    match DangerForm::parse(code) {
                        Some(f) if !forms.contains(&f) => forms.push(f),
                        Some(_) => {}
                        None => check.fail("forms", t.v_cp_forms),
                    }
                }
                let danger = matches!(outcome, Some(Outcome::Acute | Outcome::Latent));
                if danger && forms.is_empty() {
                    check.fail("forms", t.v_cp_forms_needed);
                }
                let told = if outcome == Some(Outcome::Acute) {
                    informed(&mut check, &self.informed_whom, &self.informed_at, today)
                } else {
                    None
                };
                match outcome {
                    Some(Outcome::Acute) if told.is_none() => None,
                    Some(outcome) => {
                        if !danger {
                            forms.clear();
                        }
                        Some(StepBody::Closing { outcome, forms, informed: told, text })
                    }
                    None => None,
                }
            }
        };
        let corrects = if self.corrects.trim().is_empty() {
            None
        } else {
            let id = StepId::parse(&self.corrects);
            if id.is_none() {
                check.fail("corrects", t.v_cp_corrects);
            }
            let reason = check.required("reason", &self.reason, REASON_MAX);
            id.map(|id| (id, reason))
        };
        match (date, body) {
            (Some(date), Some(body)) => check.finish(ValidStep { date, participants, body, corrects }),
            _ => {
                if check.errors.is_empty() {
                    check.fail("kind", t.v_cp_step_kind);
                }
                Err(check.errors)
            }
        }
    }
}

/// The day `n` working days (Monday to Friday) after `from`. Public holidays are not
/// known to the app; a deadline that falls on one is met a day early.
pub fn add_working_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt().unwrap_or(day);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    day
}

/// Initials for the pseudonymised export: "Mia Krüger" → "M. K.".
pub fn initials(first: &str, last: &str) -> String {
    [first, last]
        .iter()
        .filter_map(|part| part.trim().chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Replaces every known name in `text` by its stand-in (longest names first, whole
/// words only), for the export to the insoweit erfahrene Fachkraft.
pub fn scrub(text: &str, names: &[(String, String)]) -> String {
    let mut names: Vec<&(String, String)> = names.iter().filter(|(n, _)| n.chars().count() >= 2).collect();
    names.sort_by_key(|(n, _)| std::cmp::Reverse(n.chars().count()));
    let mut out = text.to_owned();
    for (name, stand_in) in names {
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        let lower_name = name.to_lowercase();
        loop {
            let lower = rest.to_lowercase();
            // Lower-casing keeps byte offsets only for text whose case mapping keeps
            // lengths; otherwise the text is left as it is beyond this point.
            if lower.len() != rest.len() {
                result.push_str(rest);
                break;
            }
            let Some(at) = lower.find(&lower_name) else {
                result.push_str(rest);
                break;
            };
            let end = at + lower_name.len();
            let before = rest[..at].chars().next_back();
            let after = rest[end..].chars().next();
            let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
            result.push_str(&rest[..at]);
            if word(before) || word(after) {
                result.push_str(&rest[at..end]);
            } else {
                result.push_str(stand_in);
            }
            rest = &rest[end..];
        }
        out = result;
    }
    out
}

// ------------------------------------------------------------------ views

/// A signature under a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    pub signed_as: Option<SignRole>,
    pub name: String,
    /// "03.12.2026, 14:05".
    pub at: String,
}

/// A recorded step as the case page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub id: StepId,
    pub kind: StepKind,
    pub date: String,
    pub participants: String,
    pub lines: Vec<(String, String)>,
    /// The author's signature, then the others.
    pub signatures: Vec<Signature>,
    /// Corrected by a later step: when, by whom and why.
    pub corrected_by: Option<String>,
    /// This step corrects an earlier one, for this reason.
    pub correction_of: Option<String>,
    pub can_sign_second: bool,
    pub can_sign_leitung: bool,
    pub can_correct: bool,
}

/// An observation as a list or the case page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservationView {
    pub id: ObservationId,
    pub youth_id: YouthId,
    pub youth_name: String,
    pub group_name: String,
    /// "03.12.2026, 14:05" (when it was seen or heard).
    pub occurred: String,
    pub body: ObservationBody,
    pub author_name: String,
    /// "Name, 03.12.2026, 15:00" once Leitung took note.
    pub acknowledged: Option<String>,
    pub case_id: Option<CaseId>,
    pub overdue: bool,
    pub can_acknowledge: bool,
    pub can_start: bool,
    /// The new procedure's id when it is opened from here (made when the page is drawn).
    pub open_key: String,
}

/// A deadline of a procedure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeadlineView {
    pub kind: DeadlineKind,
    pub due: String,
    pub met: bool,
    pub overdue: bool,
}

/// One line of a procedure's history (opened, someone added, escalated, exported).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub at: String,
    pub by: Option<String>,
    pub text: String,
}

/// Someone who may be added to a procedure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: UserId,
    pub name: String,
    pub role: String,
}

/// A procedure with everything the case page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    pub summary: CaseSummary,
    pub observations: Vec<ObservationView>,
    pub steps: Vec<StepView>,
    pub deadlines: Vec<DeadlineView>,
    pub members: Vec<String>,
    pub events: Vec<CaseEvent>,
    pub candidates: Vec<Candidate>,
    pub can_work: bool,
    pub can_manage: bool,
    pub today: String,
    /// The id of the next step recorded from this page (made when it is drawn).
    pub key: String,
    /// The procedure concerns the group home's adults, the group runs under an
    /// operating licence and the caller writes § 47 Meldungen: the page offers one.
    pub licence_offer: bool,
}

/// A procedure in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: CaseId,
    pub youth_name: String,
    pub group_name: String,
    pub opened: String,
    pub concerns_staff: bool,
    /// The last step recorded (or none yet).
    pub stage: Option<StepKind>,
    pub closed: bool,
    pub outcome: Option<Outcome>,
    pub overdue: bool,
}

/// The Kinderschutz page: what waits, the procedures, one's own observations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProtectionBoard {
    /// Observations Leitung has not taken note of yet (for those who review them).
    pub waiting: Vec<ObservationView>,
    pub cases: Vec<CaseSummary>,
    /// What the caller wrote themselves.
    pub own: Vec<ObservationView>,
    pub can_observe: bool,
    /// The caller reviews groups' procedures (Fachberatung, Leitung).
    pub reviews: bool,
}

/// The text of a Kinderschutz alarm e-mail: a link, nothing that names anyone.
pub fn alarm_mail(public_url: &str, path: &str, overdue: bool) -> (String, String) {
    let (subject, lead) = if overdue {
        (
            "Gruppenbuch: Frist im Kinderschutzverfahren überschritten",
            "Eine Frist im Kinderschutzverfahren ist überschritten.",
        )
    } else {
        ("Gruppenbuch: Neue Beobachtung (§ 8a)", "Es wurde eine Beobachtung zum Kinderschutz (§ 8a SGB VIII) erfasst.")
    };
    let body = format!(
        "{lead}\r\n\r\nBitte im Gruppenbuch öffnen:\r\n{}{path}\r\n\r\n\
         Diese E-Mail enthält bewusst keine Namen und keine Einzelheiten.\r\n",
        public_url.trim_end_matches('/')
    );
    (subject.to_owned(), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    fn observation() -> ObservationInput {
        ObservationInput {
            id: "01a20826-ceb0-7086-825e-6c2739426b14".into(),
            youth_id: "01a20826-ceb0-7086-825e-6c2739426b15".into(),
            date: "2026-12-03".into(),
            time: "07:40".into(),
            fact: "Blaue Flecken am Oberarm, beim Anziehen gesehen.".into(),
            source: "selbst".into(),
            assessment: String::new(),
        }
    }

    #[test]
    fn an_observation_keeps_fact_source_and_assessment_apart() {
        let v = observation().validate(today()).expect("valid");
        assert_eq!(v.body.source, ObservationSource::Seen);
        let bad = ObservationInput { fact: " ".into(), source: "gerücht".into(), ..observation() };
        let fields: Vec<String> = bad.validate(today()).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["fact", "source"]);
    }

    fn step(kind: &str) -> StepInput {
        StepInput { kind: kind.into(), date: "2026-12-03".into(), participants: "A, B".into(), ..Default::default() }
    }

    #[test]
    fn an_acute_danger_needs_the_time_the_youth_office_or_police_were_told() {
        let acute = StepInput { result: "akut".into(), ..step("ersteinschaetzung") };
        let fields: Vec<String> = acute.validate(today()).unwrap_err().into_iter().map(|e| e.field).collect();
        assert!(fields.contains(&"informed_at".to_owned()), "{fields:?}");
        let told =
            StepInput { informed_whom: "Jugendamt, Frau S.".into(), informed_at: "2026-12-03T09:15".into(), ..acute };
        assert!(told.validate(today()).expect("valid").body.acute());
    }

    #[test]
    fn a_no_without_a_reason_cannot_be_saved() {
        let input = StepInput {
            parents_involved: "nein".into(),
            child_involved: "ja".into(),
            child_on: "2026-12-02".into(),
            ..step("einbeziehung")
        };
        let fields: Vec<String> = input.validate(today()).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["parents_reason"]);
        let input = StepInput { parents_reason: "Gefährdung durch die Eltern.".into(), ..input };
        assert!(input.validate(today()).is_ok());
    }

    #[test]
    fn the_first_assessment_needs_its_participants_and_a_closing_with_danger_its_forms() {
        let first = StepInput { participants: String::new(), result: "keine".into(), ..step("ersteinschaetzung") };
        assert!(first.validate(today()).is_err());
        let closing = StepInput { outcome: "latent".into(), ..step("abschluss") };
        assert!(closing.validate(today()).is_err());
        let closing = StepInput { forms: vec!["koerperlich".into(), "koerperlich".into()], ..closing };
        match closing.validate(today()).expect("valid").body {
            StepBody::Closing { forms, .. } => assert_eq!(forms, vec![DangerForm::Physical]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_correction_needs_a_reason_and_future_dates_are_refused() {
        let input = StepInput {
            corrects: "01a20826-ceb0-7086-825e-6c2739426b14".into(),
            result: "keine".into(),
            ..step("ersteinschaetzung")
        };
        assert!(input.validate(today()).is_err());
        let future = StepInput { date: "2026-12-09".into(), result: "keine".into(), ..step("ersteinschaetzung") };
        assert!(future.validate(today()).is_err());
        assert!(StepInput { kind: "x".into(), ..step("x") }.validate(today()).is_err());
    }

    #[test]
    fn working_days_skip_the_weekend() {
        // Thursday 3 December 2026 + 3 working days = Tuesday 8 December.
        assert_eq!(add_working_days(today(), 3), NaiveDate::from_ymd_opt(2026, 12, 8).unwrap());
    }

    #[test]
    fn names_are_scrubbed_as_whole_words() {
        let names = vec![("Mia".to_owned(), "M.".to_owned()), ("Mia Krüger".to_owned(), "M. K.".to_owned())];
        assert_eq!(
            scrub("Mia Krüger sagte, Miami sei weit; mia weinte.", &names),
            "M. K. sagte, Miami sei weit; M. weinte."
        );
        assert_eq!(initials("mia", "Krüger"), "M. K.");
    }
}
