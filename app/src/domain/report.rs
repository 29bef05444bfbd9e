//! Der Bericht zum Hilfeplangespräch (Berichtsvorlage): twice a year the group and the
//! Fachberatung report to the youth office on the six months since the last meeting.
//!
//! The draft is generated from the record: every generated line names the entries (or
//! the plan, the incident, the submission, the young person's own view) it comes from, so
//! the Fachberatung can check it, and the generator states facts and quotes only. People
//! write the assessment, and may drop generated lines or add their own text to any
//! section, but never reword a generated line: what is left of the generator's text is
//! what the record holds.

use super::choice::choices;
use super::contact::ContactArrangement;
use super::entry::EntryBody;
use super::feedback::Mood;
use super::goal::{Goal, GoalLevel};
use super::ids::{EntryId, FeedbackId, GoalId, IncidentId, PlanId, YouthId};
use super::note::NoteCategory;
use super::plan::{Perspective, PlanSnapshot};
use super::record::RecordType;
use super::text::{Check, format_date};
use super::visit::VisitOutcome;
use super::youth::Youth;
use crate::error::FieldError;
use crate::i18n::{fill, texts};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest text people write into one section.
pub const SECTION_TEXT_MAX: usize = 20_000;
pub const COMMENT_MAX: usize = 4000;
pub const REASON_MAX: usize = 1000;
pub const SUMMARY_MAX: usize = 4000;
pub const TITLE_MAX: usize = 120;
/// Free sections Leitung may add to the default list.
pub const FREE_SECTIONS: usize = 3;
/// The longest answer a young person writes in their own view.
pub const VIEW_TEXT_MAX: usize = 1000;
/// The outbox kind of a young person's view.
pub const VIEW_KIND: &str = "hpg_view";
/// How many days before the planned Hilfeplangespräch the report is due to start.
pub const START_DAYS_BEFORE: i64 = 28;

choices!(
    /// What a section of the report is about; all but the last three are drafted from
    /// the record.
    SectionKind {
        MasterData = "stammdaten" => rs_master_data,
        Mandate = "auftrag" => rs_mandate,
        Development = "entwicklung" => rs_development,
        Goals = "zielerreichung" => rs_goals,
        Family = "herkunftsfamilie" => rs_family,
        Events = "ereignisse" => rs_events,
        YouthView = "sicht_jung" => rs_youth_view,
        ParentView = "sicht_eltern" => rs_parent_view,
        Perspective = "perspektive" => rs_perspective,
        Assessment = "einschaetzung" => rs_assessment,
        Free = "frei" => rs_free,
    }
);

impl SectionKind {
    /// The sections of the default list, in its order (every kind but `Free`).
    pub fn defaults() -> impl Iterator<Item = SectionKind> {
        SectionKind::ALL.iter().copied().filter(|k| *k != SectionKind::Free)
    }

    /// Whether people alone write it (the generator leaves it empty).
    pub fn written_by_people(self) -> bool {
        matches!(self, SectionKind::Assessment | SectionKind::Free)
    }
}

/// One section of the configured list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateSection {
    /// Unique within the list: the kind's code, or `frei_1` … for free sections.
    pub key: String,
    pub kind: SectionKind,
    pub title: String,
}

/// The default list: every section in the order of the usual Berichtsvorlage.
pub fn default_template() -> Vec<TemplateSection> {
    SectionKind::defaults()
        .map(|kind| TemplateSection { key: kind.code().to_owned(), kind, title: kind.label().to_owned() })
        .collect()
}

/// Leitung's form for the list of sections: for each section `titel_<key>` (empty leaves
/// it out) and `position_<key>` (1–20), for the kinds of the default list and the free
/// sections `frei_1` … `frei_3`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TemplateInput(pub BTreeMap<String, String>);

/// The keys the template form may send.
pub fn template_keys() -> Vec<String> {
    let mut keys: Vec<String> = SectionKind::defaults().map(|k| k.code().to_owned()).collect();
    keys.extend((1..=FREE_SECTIONS).map(|n| format!("frei_{n}")));
    keys
}

impl TemplateInput {
    pub fn validate(&self) -> Result<Vec<TemplateSection>, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let keys = template_keys();
        for name in self.0.keys() {
            let known = name
                .strip_prefix("titel_")
                .or_else(|| name.strip_prefix("position_"))
                .is_some_and(|key| keys.iter().any(|k| k == key));
            if !known {
                check.fail("sections", t.v_report_template_unknown);
            }
        }
        let mut rows: Vec<(u32, usize, TemplateSection)> = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            let field = format!("titel_{key}");
            let title = check.optional(&field, self.0.get(&field).map(String::as_str).unwrap_or(""), TITLE_MAX);
            if title.is_empty() {
                continue;
            }
            let position_field = format!("position_{key}");
            let raw = self.0.get(&position_field).map(|s| s.trim()).unwrap_or("");
            let position = if raw.is_empty() {
                Some(index as u32 + 1)
            } else {
                raw.parse::<u32>().ok().filter(|p| (1..=20).contains(p))
            };
            let Some(position) = position else {
                check.fail(&position_field, t.v_report_position);
                continue;
            };
            let kind = SectionKind::parse(key).unwrap_or(SectionKind::Free);
            rows.push((position, index, TemplateSection { key: key.clone(), kind, title }));
        }
        if rows.is_empty() {
            check.fail("sections", t.v_report_template_empty);
        }
        rows.sort_by_key(|(position, index, _)| (*position, *index));
        check.finish(rows.into_iter().map(|(_, _, s)| s).collect())
    }
}

/// Where a generated line comes from; the editor links each to its page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Entry,
    Incident,
    Feedback,
    Plan,
    Goal,
    Youth,
    View,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub kind: SourceKind,
    pub id: String,
    /// YYYY-MM-DD of the source ("" for master data).
    pub date: String,
}

impl Source {
    fn entry(id: &EntryId, date: &str) -> Source {
        Source { kind: SourceKind::Entry, id: id.to_string(), date: date.to_owned() }
    }

    /// The page that shows the source to those who may read the report.
    pub fn href(&self) -> Option<String> {
        match self.kind {
            SourceKind::Entry => Some(format!("/eintraege/{}", self.id)),
            SourceKind::Incident => Some(format!("/vorkommnisse/{}", self.id)),
            SourceKind::Feedback => Some(format!("/rueckmeldungen/{}", self.id)),
            SourceKind::Plan => Some(format!("/hilfeplan/{}", self.id)),
            SourceKind::Goal => Some(format!("/ziele/{}", self.id)),
            SourceKind::Youth => Some(format!("/jugendliche/{}", self.id)),
            SourceKind::View => None,
        }
    }

    /// A short German label for the link ("Eintrag vom 12.03.2026").
    pub fn label(&self) -> String {
        let t = texts();
        let what = match self.kind {
            SourceKind::Entry => t.rs_src_entry,
            SourceKind::Incident => t.rs_src_incident,
            SourceKind::Feedback => t.rs_src_feedback,
            SourceKind::Plan => t.rs_src_plan,
            SourceKind::Goal => t.rs_src_goal,
            SourceKind::Youth => t.rs_src_youth,
            SourceKind::View => t.rs_src_view,
        };
        if self.date.is_empty() { what.to_owned() } else { format!("{what} {}", format_date(&self.date)) }
    }
}

/// How a line is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStyle {
    /// "Label: value".
    Fact,
    /// A dated fact.
    Item,
    /// Someone's words, with whose and when in `quote_source`.
    Quote,
    /// A heading inside the section (a Lebensbereich, a goal).
    Heading,
    /// "Keine Einträge im Zeitraum."
    Remark,
}

/// A generated line with its sources. People may drop it; nobody rewords it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub style: LineStyle,
    /// Fact: the label. Item: DD.MM.YYYY.
    pub label: String,
    pub text: String,
    pub quote_source: String,
    pub sources: Vec<Source>,
    #[serde(default)]
    pub dropped: bool,
}

impl Line {
    fn new(style: LineStyle, label: impl Into<String>, text: impl Into<String>, sources: Vec<Source>) -> Line {
        Line { style, label: label.into(), text: text.into(), quote_source: String::new(), sources, dropped: false }
    }

    fn fact(label: &str, text: impl Into<String>, sources: Vec<Source>) -> Line {
        Line::new(LineStyle::Fact, label, text, sources)
    }

    fn item(date: &str, text: impl Into<String>, sources: Vec<Source>) -> Line {
        Line::new(LineStyle::Item, format_date(date), text, sources)
    }

    fn heading(text: impl Into<String>, sources: Vec<Source>) -> Line {
        Line::new(LineStyle::Heading, "", text, sources)
    }

    fn remark(text: &str) -> Line {
        Line::new(LineStyle::Remark, "", text, Vec::new())
    }

    fn quote(text: &str, by: String, sources: Vec<Source>) -> Line {
        Line { quote_source: by, ..Line::new(LineStyle::Quote, "", text, sources) }
    }
}

/// One section of a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub key: String,
    pub kind: SectionKind,
    pub title: String,
    pub lines: Vec<Line>,
    /// What people wrote.
    pub text: String,
    /// Who changed the section last and when (Europe/Berlin), "" if nobody yet.
    #[serde(default)]
    pub changed_by: String,
    #[serde(default)]
    pub changed_at: String,
}

/// The stored body of a report version.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportBody {
    pub sections: Vec<Section>,
}

impl ReportBody {
    /// Every source named by a line still in the report.
    pub fn kept_sources(&self) -> impl Iterator<Item = &Source> {
        self.sections.iter().flat_map(|s| s.lines.iter().filter(|l| !l.dropped).flat_map(|l| l.sources.iter()))
    }

    /// Draws the new generated lines in, keeping what people wrote and which generated
    /// lines they dropped (a line is the same line if its text and sources are).
    pub fn regenerated(&self, fresh: ReportBody) -> ReportBody {
        let sections = fresh
            .sections
            .into_iter()
            .map(|mut section| {
                if let Some(old) = self.sections.iter().find(|s| s.key == section.key) {
                    section.text = old.text.clone();
                    section.changed_by = old.changed_by.clone();
                    section.changed_at = old.changed_at.clone();
                    for line in &mut section.lines {
                        line.dropped =
                            old.lines.iter().any(|o| o.dropped && o.text == line.text && o.sources == line.sources);
                    }
                }
                section
            })
            .collect();
        ReportBody { sections }
    }
}

/// An entry of the period as the generator reads it (never one only the Fachberatung
/// reads: the report goes to the youth office and the group edits it).
#[derive(Clone, Debug, PartialEq)]
pub struct SourceEntry {
    pub id: EntryId,
    /// YYYY-MM-DD.
    pub date: String,
    pub body: EntryBody,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IncidentLine {
    pub id: IncidentId,
    pub date: String,
    pub category: String,
    pub state: String,
}

/// A named complaint the young person sent to their group (never one past the group).
#[derive(Clone, Debug, PartialEq)]
pub struct ComplaintLine {
    pub id: FeedbackId,
    pub date: String,
    pub topic: String,
    pub status: String,
}

/// A rating given in a monthly talk of the period.
#[derive(Clone, Debug, PartialEq)]
pub struct RatingRow {
    pub goal_id: GoalId,
    pub perspective: Perspective,
    pub step: i64,
    pub date: String,
    pub entry_id: EntryId,
}

/// What the young person said they want said, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ViewBody {
    pub mood: Option<Mood>,
    pub going_well: String,
    pub change: String,
    pub wish: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ViewRow {
    pub id: String,
    pub date: String,
    pub body: ViewBody,
}

/// Everything the draft is made from.
#[derive(Clone, Debug)]
pub struct DraftSource {
    pub youth: Youth,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// The plan of the last Hilfeplangespräch.
    pub plan: Option<(PlanId, String, PlanSnapshot)>,
    pub goals: Vec<Goal>,
    pub entries: Vec<SourceEntry>,
    pub ratings: Vec<RatingRow>,
    /// Entry links to goals: (goal, entry, date).
    pub links: Vec<(GoalId, EntryId, String)>,
    pub arrangement: Option<ContactArrangement>,
    pub incidents: Vec<IncidentLine>,
    pub complaints: Vec<ComplaintLine>,
    pub views: Vec<ViewRow>,
}

impl DraftSource {
    fn in_period(&self, date: &str) -> bool {
        let from = self.period_from.to_string();
        let to = self.period_to.to_string();
        date >= from.as_str() && date <= to.as_str()
    }
}

/// The Lebensbereiche of the development section and the note categories in each.
fn areas() -> Vec<(&'static str, &'static [NoteCategory])> {
    use NoteCategory::*;
    let t = texts();
    vec![
        (t.rs_area_health, &[Health, Therapy]),
        (t.rs_area_school, &[School, SchoolContact]),
        (t.rs_area_social, &[Other]),
        (t.rs_area_leisure, &[Leisure]),
        (t.rs_area_emotional, &[Mood, Meals]),
    ]
}

/// The draft for the configured sections.
pub fn generate(template: &[TemplateSection], src: &DraftSource) -> ReportBody {
    let sections = template
        .iter()
        .map(|s| Section {
            key: s.key.clone(),
            kind: s.kind,
            title: s.title.clone(),
            lines: lines_of(s.kind, src),
            text: String::new(),
            changed_by: String::new(),
            changed_at: String::new(),
        })
        .collect();
    ReportBody { sections }
}

fn lines_of(kind: SectionKind, src: &DraftSource) -> Vec<Line> {
    match kind {
        SectionKind::MasterData => master_data(src),
        SectionKind::Mandate => mandate(src),
        SectionKind::Development => development(src),
        SectionKind::Goals => goals(src),
        SectionKind::Family => family(src),
        SectionKind::Events => events(src),
        SectionKind::YouthView => youth_view(src),
        SectionKind::ParentView => parent_view(src),
        SectionKind::Perspective => perspective(src),
        SectionKind::Assessment | SectionKind::Free => Vec::new(),
    }
}

fn entries_in_period(src: &DraftSource) -> impl Iterator<Item = &SourceEntry> {
    src.entries.iter().filter(|e| src.in_period(&e.date))
}

fn master_data(src: &DraftSource) -> Vec<Line> {
    let t = texts();
    let y = &src.youth;
    let youth = || vec![Source { kind: SourceKind::Youth, id: y.id.to_string(), date: String::new() }];
    let plan = || match &src.plan {
        Some((id, date, _)) => vec![Source { kind: SourceKind::Plan, id: id.to_string(), date: date.clone() }],
        None => Vec::new(),
    };
    let or_dash = |s: &str| if s.trim().is_empty() { "–".to_owned() } else { s.to_owned() };
    let mut lines = vec![
        Line::fact(t.rs_md_name, format!("{} {}", y.first_name, y.last_name), youth()),
        Line::fact(t.rs_md_born, format_date(&y.birth_date), youth()),
        Line::fact(t.rs_md_group, y.group_name.clone(), youth()),
    ];
    if let Some((_, _, snapshot)) = &src.plan {
        lines.push(Line::fact(t.rs_md_key_worker, or_dash(&snapshot.key_worker), plan()));
        lines.push(Line::fact(t.rs_md_legal_basis, snapshot.legal_basis.label(), plan()));
    }
    lines.push(Line::fact(t.rs_md_caseworker, or_dash(&y.caseworker_name), youth()));
    lines.push(Line::fact(t.rs_md_custody, or_dash(&y.custody), youth()));
    lines.push(Line::fact(t.rs_md_start, format_date(&y.admission_date), youth()));
    lines.push(Line::fact(
        t.rs_md_period,
        format!("{} – {}", format_date(&src.period_from.to_string()), format_date(&src.period_to.to_string())),
        Vec::new(),
    ));
    let last = match &src.plan {
        Some((_, date, _)) => format_date(date),
        None => t.rs_md_no_meeting.to_owned(),
    };
    lines.push(Line::fact(t.rs_md_last_meeting, last, plan()));
    lines
}

fn mandate(src: &DraftSource) -> Vec<Line> {
    let t = texts();
    let Some((id, date, snapshot)) = &src.plan else {
        return vec![Line::remark(t.rs_no_plan)];
    };
    let source = || vec![Source { kind: SourceKind::Plan, id: id.to_string(), date: date.clone() }];
    let mut lines = Vec::new();
    if !snapshot.results.trim().is_empty() {
        lines.push(Line::fact(t.rs_mandate_results, snapshot.results.clone(), source()));
    }
    for goal in &snapshot.goals {
        let label = match goal.level {
            GoalLevel::Direction => t.goal_level_direction,
            GoalLevel::Action => t.goal_level_action,
        };
        let mut text = goal.title.clone();
        if !goal.review_on.is_empty() {
            text.push_str(&fill(t.rs_mandate_review, &[("date", &format_date(&goal.review_on))]));
        }
        lines.push(Line::fact(label, text, source()));
        for step in &goal.steps {
            let by = if step.by.is_empty() { String::new() } else { format_date(&step.by) };
            lines.push(Line::fact(
                t.rs_mandate_step,
                fill(t.rs_mandate_step_text, &[("who", &step.who), ("what", &step.what), ("by", &by)]),
                source(),
            ));
        }
    }
    if lines.is_empty() {
        lines.push(Line::remark(t.rs_no_goals));
    }
    lines
}

fn development(src: &DraftSource) -> Vec<Line> {
    let t = texts();
    let mut lines = Vec::new();
    for (area, categories) in areas() {
        lines.push(Line::heading(area, Vec::new()));
        let before = lines.len();
        for entry in entries_in_period(src) {
            if let EntryBody::Note(note) = &entry.body
                && categories.contains(&note.category)
            {
                lines.push(Line::item(&entry.date, note.text.clone(), vec![Source::entry(&entry.id, &entry.date)]));
            }
        }
        if lines.len() == before {
            lines.push(Line::remark(t.rs_no_entries));
        }
    }
    lines
}

/// "2 → 4 (steigend)" for the first and last rating of the period.
fn trend(steps: &[i64]) -> String {
    let t = texts();
    match (steps.first(), steps.last()) {
        (Some(first), Some(last)) if steps.len() > 1 => {
            let word = if last > first {
                t.rs_trend_up
            } else if last < first {
                t.rs_trend_down
            } else {
                t.rs_trend_same
            };
            let all: Vec<String> = steps.iter().map(i64::to_string).collect();
            format!("{} ({word})", all.join(" → "))
        }
        (Some(only), _) => only.to_string(),
        _ => "–".to_owned(),
    }
}

fn goals(src: &DraftSource) -> Vec<Line> {
    let t = texts();
    // The goals of the last plan, then goals set since (those the plan did not have).
    let mut listed: Vec<Goal> = src.plan.as_ref().map(|(_, _, s)| s.goals.clone()).unwrap_or_default();
    for goal in &src.goals {
        if !listed.iter().any(|g| g.id == goal.id) {
            listed.push(goal.clone());
        }
    }
    if listed.is_empty() {
        return vec![Line::remark(t.rs_no_goals)];
    }
    let mut lines = Vec::new();
    for goal in &listed {
        let current = src.goals.iter().find(|g| g.id == goal.id).unwrap_or(goal);
        let goal_source = vec![Source { kind: SourceKind::Goal, id: goal.id.to_string(), date: String::new() }];
        lines.push(Line::heading(format!("{} ({})", goal.title, current.status.label()), goal_source.clone()));
        let mut any = false;
        for perspective in Perspective::ALL {
            let mut rows: Vec<&RatingRow> = src
                .ratings
                .iter()
                .filter(|r| r.goal_id == goal.id && r.perspective == *perspective && src.in_period(&r.date))
                .collect();
            if rows.is_empty() {
                continue;
            }
            any = true;
            rows.sort_by(|a, b| a.date.cmp(&b.date));
            let steps: Vec<i64> = rows.iter().map(|r| r.step).collect();
            let dates: Vec<String> = rows.iter().map(|r| format_date(&r.date)).collect();
            let text = fill(t.rs_goal_rating, &[("trend", &trend(&steps)), ("dates", &dates.join(", "))]);
            let sources = rows.iter().map(|r| Source::entry(&r.entry_id, &r.date)).collect();
            lines.push(Line::fact(perspective.label(), text, sources));
        }
        if !any {
            lines.push(Line::remark(t.rs_goal_no_rating));
        }
        let mut linked: Vec<&(GoalId, EntryId, String)> =
            src.links.iter().filter(|(g, _, date)| *g == goal.id && src.in_period(date)).collect();
        linked.sort_by(|a, b| a.2.cmp(&b.2));
        let dates: Vec<String> = linked.iter().map(|(_, _, d)| format_date(d)).collect();
        let text = if linked.is_empty() {
            t.rs_goal_no_links.to_owned()
        } else {
            fill(t.rs_goal_links, &[("count", &linked.len().to_string()), ("dates", &dates.join(", "))])
        };
        let sources = linked.iter().map(|(_, e, d)| Source::entry(e, d)).collect();
        lines.push(Line::fact(t.rs_goal_links_label, text, sources));
    }
    lines
}

/// Contacts the arrangement plans within the period: each month's planned contacts,
/// prorated by the days of it the period covers.
pub fn planned_between(arrangement: &ContactArrangement, from: NaiveDate, to: NaiveDate) -> u32 {
    if to < from {
        return 0;
    }
    let mut total = 0.0_f64;
    let mut first = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
    while first <= to {
        let next = if first.month() == 12 {
            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
        };
        let Some(next) = next else { break };
        let month_days = (next - first).num_days() as f64;
        let start = first.max(from);
        let end = (next - chrono::Duration::days(1)).min(to);
        let covered = ((end - start).num_days() + 1).max(0) as f64;
        total += f64::from(arrangement.planned_in(first)) * covered / month_days;
        first = next;
    }
    total.round() as u32
}

fn family(src: &DraftSource) -> Vec<Line> {
    let t = texts();
    let mut lines = Vec::new();
    let visits: Vec<(&SourceEntry, &super::visit::VisitBody)> = entries_in_period(src)
        .filter_map(|e| match &e.body {
            EntryBody::Visit(v) => Some((e, v)),
            _ => None,
        })
        .collect();
    let all_sources = || visits.iter().map(|(e, _)| Source::entry(&e.id, &e.date)).collect::<Vec<_>>();
    match &src.arrangement {
        Some(a) => {
            let planned = planned_between(a, src.period_from, src.period_to);
            let period = match a.period {
                super::contact::ContactPeriod::Week => t.rs_per_week,
                super::contact::ContactPeriod::Month => t.rs_per_month,
            };
            let supervised = if a.supervised { t.rs_supervised } else { t.rs_unsupervised };
            let mut text = fill(
                t.rs_family_arrangement,
                &[
                    ("times", &a.times.to_string()),
                    ("period", period),
                    ("kind", a.kind.label()),
                    ("supervised", supervised),
                    ("planned", &planned.to_string()),
                ],
            );
            if !a.note.is_empty() {
                text.push_str(&format!(" ({})", a.note));
            }
            lines.push(Line::fact(t.rs_family_agreed, text, Vec::new()));
        }
        None => lines.push(Line::fact(t.rs_family_agreed, t.rs_family_no_arrangement, Vec::new())),
    }
    let count = |o: VisitOutcome| visits.iter().filter(|(_, v)| v.outcome == o).count().to_string();
    let summary = fill(
        t.rs_family_counts,
        &[
            ("all", &visits.len().to_string()),
            ("held", &count(VisitOutcome::Held)),
            ("family", &count(VisitOutcome::CancelledByFamily)),
            ("group", &count(VisitOutcome::CancelledByGroup)),
            ("youth", &count(VisitOutcome::CancelledByYouth)),
            ("no_show", &count(VisitOutcome::NoShow)),
        ],
    );
    lines.push(Line::fact(t.rs_family_recorded, summary, all_sources()));
    for (entry, visit) in &visits {
        let mut text = format!("{}: {}", visit.kind.label(), visit.outcome.label());
        if visit.supervised {
            text.push_str(&format!(", {}", t.rs_supervised));
        }
        if visit.outcome == VisitOutcome::Held {
            if let Some(before) = visit.mood_before {
                text.push_str(&fill(t.rs_family_before, &[("mood", super::visit::mood_label(before))]));
            }
            if let Some(after) = visit.mood_after {
                text.push_str(&fill(t.rs_family_after, &[("mood", super::visit::mood_label(after))]));
            }
        }
        lines.push(Line::item(&entry.date, text, vec![Source::entry(&entry.id, &entry.date)]));
    }
    for entry in entries_in_period(src) {
        if let EntryBody::Note(note) = &entry.body
            && note.category == NoteCategory::Family
        {
            lines.push(Line::item(&entry.date, note.text.clone(), vec![Source::entry(&entry.id, &entry.date)]));
        }
    }
    lines
}

fn events(src: &DraftSource) -> Vec<Line> {
    let t = texts();
    let mut dated: Vec<(String, Line)> = Vec::new();
    for incident in src.incidents.iter().filter(|i| src.in_period(&i.date)) {
        let text = fill(t.rs_event_incident, &[("category", &incident.category), ("state", &incident.state)]);
        let source = Source { kind: SourceKind::Incident, id: incident.id.to_string(), date: incident.date.clone() };
        dated.push((incident.date.clone(), Line::item(&incident.date, text, vec![source])));
    }
    for complaint in src.complaints.iter().filter(|c| src.in_period(&c.date)) {
        let text = fill(t.rs_event_complaint, &[("topic", &complaint.topic), ("status", &complaint.status)]);
        let source = Source { kind: SourceKind::Feedback, id: complaint.id.to_string(), date: complaint.date.clone() };
        dated.push((complaint.date.clone(), Line::item(&complaint.date, text, vec![source])));
    }
    dated.sort_by(|a, b| a.0.cmp(&b.0));
    let lines: Vec<Line> = dated.into_iter().map(|(_, l)| l).collect();
    if lines.is_empty() { vec![Line::remark(t.rs_no_events)] } else { lines }
}

fn youth_view(src: &DraftSource) -> Vec<Line> {
    let t = texts();
    let mut lines = Vec::new();
    for view in src.views.iter().filter(|v| src.in_period(&v.date)) {
        let source = || vec![Source { kind: SourceKind::View, id: view.id.clone(), date: view.date.clone() }];
        let by = fill(t.rs_view_by, &[("date", &format_date(&view.date))]);
        if let Some(mood) = view.body.mood {
            lines.push(Line::fact(t.view_mood, mood.label(), source()));
        }
        for (label, text) in [
            (t.view_going_well, &view.body.going_well),
            (t.view_change, &view.body.change),
            (t.view_wish, &view.body.wish),
        ] {
            if !text.is_empty() {
                lines.push(Line { label: label.to_owned(), ..Line::quote(text, by.clone(), source()) });
            }
        }
    }
    for entry in entries_in_period(src) {
        if let EntryBody::Talk(talk) = &entry.body
            && !talk.youth_words.is_empty()
        {
            let by = fill(t.rs_view_talk, &[("date", &format_date(&entry.date))]);
            lines.push(Line::quote(&talk.youth_words, by, vec![Source::entry(&entry.id, &entry.date)]));
        }
    }
    if lines.is_empty() {
        lines.push(Line::remark(t.rs_no_view));
    }
    lines
}

fn parent_view(src: &DraftSource) -> Vec<Line> {
    let t = texts();
    let mut lines = Vec::new();
    for entry in entries_in_period(src) {
        match &entry.body {
            EntryBody::Record(record) if record.record_type == RecordType::ParentTalk => {
                let by = fill(t.rs_parents_talk, &[("date", &format_date(&entry.date))]);
                for text in [&record.content, &record.outcome] {
                    if !text.is_empty() {
                        lines.push(Line::quote(text, by.clone(), vec![Source::entry(&entry.id, &entry.date)]));
                    }
                }
            }
            EntryBody::Visit(visit) if visit.outcome == VisitOutcome::Held && !visit.notes.is_empty() => {
                let text = fill(t.rs_parents_visit, &[("notes", &visit.notes)]);
                lines.push(Line::item(&entry.date, text, vec![Source::entry(&entry.id, &entry.date)]));
            }
            _ => {}
        }
    }
    if lines.is_empty() {
        lines.push(Line::remark(t.rs_no_parents));
    }
    lines
}

fn perspective(src: &DraftSource) -> Vec<Line> {
    let t = texts();
    entries_in_period(src)
        .filter_map(|entry| match &entry.body {
            EntryBody::Talk(talk) if !talk.hpg_topics.is_empty() => Some(Line {
                label: t.rs_perspective_topics.to_owned(),
                ..Line::item(&entry.date, talk.hpg_topics.clone(), vec![Source::entry(&entry.id, &entry.date)])
            }),
            _ => None,
        })
        .collect()
}

/// The young person's own view, as their phone sends it (sealed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewInput {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub mood: String,
    #[serde(default)]
    pub going_well: String,
    #[serde(default)]
    pub change: String,
    #[serde(default)]
    pub wish: String,
}

/// What the outbox seals: the view and the account that wrote it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedView {
    pub author_id: String,
    pub view: ViewInput,
}

impl ViewInput {
    pub fn validate(&self) -> Result<(uuid::Uuid, ViewBody), Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let id = uuid::Uuid::try_parse(self.id.trim()).ok();
        if id.is_none() {
            check.fail("id", t.fb_v_broken);
        }
        let mood = if self.mood.trim().is_empty() {
            None
        } else {
            let parsed = Mood::parse(&self.mood);
            if parsed.is_none() {
                check.fail("mood", t.v_view_mood);
            }
            parsed
        };
        let going_well = check.optional("going_well", &self.going_well, VIEW_TEXT_MAX);
        let change = check.optional("change", &self.change, VIEW_TEXT_MAX);
        let wish = check.optional("wish", &self.wish, VIEW_TEXT_MAX);
        if mood.is_none() && going_well.is_empty() && change.is_empty() && wish.is_empty() {
            check.fail("going_well", t.v_view_empty);
        }
        match id {
            Some(id) if check.errors.is_empty() => Ok((id, ViewBody { mood, going_well, change, wish })),
            _ => Err(check.errors),
        }
    }
}

choices!(
    /// Where a report version stands.
    ReportStatus {
        Draft = "entwurf" => report_status_draft,
        Reviewed = "geprueft" => report_status_reviewed,
        Signed = "unterschrieben" => report_status_signed,
        Sent = "versandt" => report_status_sent,
    }
);

/// Starting the report for a Hilfeplangespräch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartInput {
    #[serde(default)]
    pub youth_id: String,
    /// The planned date of the Hilfeplangespräch.
    #[serde(default)]
    pub meeting_on: String,
}

impl StartInput {
    /// The meeting date (not more than a year ahead, not before the last meeting).
    pub fn validate(&self, today: NaiveDate, last_meeting: Option<NaiveDate>) -> Result<NaiveDate, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let date = check.date("meeting_on", &self.meeting_on);
        if let Some(d) = date {
            if d > today + chrono::Duration::days(366) {
                check.fail("meeting_on", t.v_report_meeting_far);
            }
            if last_meeting.is_some_and(|last| d <= last) {
                check.fail("meeting_on", t.v_report_meeting_before_last);
            }
        }
        match date {
            Some(d) if check.errors.is_empty() => Ok(d),
            _ => Err(check.errors),
        }
    }
}

/// The period a report covers: from the last Hilfeplangespräch (or the start of the
/// help) to the day the draft is made, at most the meeting day.
pub fn period(
    last_meeting: Option<NaiveDate>,
    admission: Option<NaiveDate>,
    today: NaiveDate,
    meeting: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let to = today.min(meeting);
    let from = last_meeting.or(admission).unwrap_or(to - chrono::Duration::days(183)).min(to);
    (from, to)
}

/// A section as the group edits it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionInput {
    #[serde(default)]
    pub report_id: String,
    #[serde(default)]
    pub section: String,
    /// The revision the editor was showing: a report changed since is refused.
    #[serde(default)]
    pub revision: String,
    #[serde(default)]
    pub text: String,
    /// Indices of the generated lines to leave out.
    #[serde(default)]
    pub dropped: Vec<String>,
}

pub struct ValidSection {
    pub revision: i64,
    pub text: String,
    pub dropped: Vec<usize>,
}

impl SectionInput {
    pub fn validate(&self) -> Result<ValidSection, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let revision = self.revision.trim().parse::<i64>().ok();
        if revision.is_none() {
            check.fail("revision", t.v_report_revision);
        }
        let text = check.optional("text", &self.text, SECTION_TEXT_MAX);
        let mut dropped = Vec::new();
        if self.dropped.len() > 5000 {
            check.fail("dropped", t.v_report_lines);
        }
        for d in &self.dropped {
            match d.trim().parse::<usize>() {
                Ok(i) if !dropped.contains(&i) => dropped.push(i),
                Ok(_) => {}
                Err(_) => check.fail("dropped", t.v_report_lines),
            }
        }
        match revision {
            Some(revision) if check.errors.is_empty() => Ok(ValidSection { revision, text, dropped }),
            _ => Err(check.errors),
        }
    }
}

/// A comment on a section (Fachberatung, Leitung).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportCommentInput {
    #[serde(default)]
    pub report_id: String,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub text: String,
}

/// Signing, marking as reviewed, drawing in new entries: all on the revision the person
/// was looking at.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevisionInput {
    #[serde(default)]
    pub report_id: String,
    #[serde(default)]
    pub revision: String,
}

/// A correction of a signed report: a new version with a reason.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectReportInput {
    #[serde(default)]
    pub report_id: String,
    #[serde(default)]
    pub reason: String,
}

/// A date recorded on a report: when it was sent to the youth office, or when it was
/// explained to the young person.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportDateInput {
    #[serde(default)]
    pub report_id: String,
    #[serde(default)]
    pub date: String,
}

/// The summary in simple words for the young person; `release` = "ja" releases it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryInput {
    #[serde(default)]
    pub report_id: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub release: String,
}

/// A date on or before today and not before `not_before`.
pub fn past_date(
    field: &str,
    value: &str,
    today: NaiveDate,
    not_before: Option<NaiveDate>,
) -> Result<NaiveDate, Vec<FieldError>> {
    let t = texts();
    let mut check = Check::default();
    let date = check.date(field, value);
    if let Some(d) = date {
        if d > today {
            check.fail(field, t.v_report_date_future);
        }
        if not_before.is_some_and(|nb| d < nb) {
            check.fail(field, t.v_report_date_early);
        }
    }
    match date {
        Some(d) if check.errors.is_empty() => Ok(d),
        _ => Err(check.errors),
    }
}

/// A comment as the editor shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportComment {
    pub section: String,
    pub author_name: String,
    pub at: String,
    pub text: String,
}

/// A version in the list of a report's versions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportRef {
    pub id: String,
    pub version: i64,
    pub meeting_on: String,
    pub status: ReportStatus,
}

/// A report version as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub id: String,
    pub version: i64,
    pub youth_id: YouthId,
    pub youth_name: String,
    pub group_name: String,
    pub meeting_on: String,
    pub period_from: String,
    pub period_to: String,
    pub body: ReportBody,
    pub revision: i64,
    pub status: ReportStatus,
    pub correction_reason: String,
    pub created_by: String,
    pub reviewed_by: String,
    pub reviewed_at: String,
    pub signed_by: String,
    pub signed_at: String,
    pub sent_on: String,
    pub summary: String,
    pub summary_released_at: String,
    pub explained_on: String,
    pub explained_by: String,
    pub comments: Vec<ReportComment>,
    /// Every version of this report, newest first.
    pub versions: Vec<ReportRef>,
    /// May change the sections (the version is not signed, and the caller writes
    /// reports).
    pub can_edit: bool,
    /// Writes reports: the summary for the young person, that it was explained.
    pub can_write: bool,
    pub can_review: bool,
    pub can_sign: bool,
}

impl ReportView {
    pub fn frozen(&self) -> bool {
        !self.signed_at.is_empty()
    }
}

/// What the young person reads: the released summary, and their own views.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnReport {
    pub meeting_on: String,
    pub summary: String,
    pub released_at: String,
}

/// The young person's form: what the outbox needs, and what they sent before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnViewForm {
    pub author_id: String,
    pub fresh_id: String,
    pub outbox_key: String,
    /// Dates (DD.MM.YYYY) of what they sent before, newest first.
    pub sent: Vec<String>,
    pub summaries: Vec<OwnReport>,
}

/// The PDF's file name: `Bericht-HPG-Jurgen-Muller-2026-12-24-Fassung-2.pdf` with umlauts
/// spelled out (ä → ae, ß → ss), every other character but ASCII letters and digits a
/// hyphen, so it fits a `Content-Disposition` header on every system.
pub fn file_name(youth_name: &str, meeting_on: &str, version: i64) -> String {
    let mut name = String::new();
    for c in youth_name.chars() {
        match c {
            'ä' => name.push_str("ae"),
            'ö' => name.push_str("oe"),
            'ü' => name.push_str("ue"),
            'Ä' => name.push_str("Ae"),
            'Ö' => name.push_str("Oe"),
            'Ü' => name.push_str("Ue"),
            'ß' => name.push_str("ss"),
            c if c.is_ascii_alphanumeric() => name.push(c),
            _ => name.push('-'),
        }
    }
    let meeting: String = meeting_on.chars().filter(|c| c.is_ascii_digit() || *c == '-').collect();
    format!("Bericht-HPG-{name}-{meeting}-Fassung-{version}.pdf")
}

/// Checks a report id as the forms send it.
pub fn report_id(value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    if super::is_uuid(v) { Ok(v.to_owned()) } else { Err(FieldError::new("report_id", texts().v_report_unknown)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact::ContactPeriod;
    use crate::domain::visit::VisitKind;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_default_template_lists_every_section_but_the_free_one() {
        let template = default_template();
        assert_eq!(template.len(), SectionKind::ALL.len() - 1);
        assert_eq!(template[0].kind, SectionKind::MasterData);
        assert!(template.iter().all(|s| s.key == s.kind.code()));
    }

    #[test]
    fn the_template_form_orders_renames_and_leaves_out() {
        let mut fields = BTreeMap::new();
        fields.insert("titel_stammdaten".to_owned(), "Angaben zur Person".to_owned());
        fields.insert("position_stammdaten".to_owned(), "2".to_owned());
        fields.insert("titel_frei_1".to_owned(), "Schulische Entwicklung".to_owned());
        fields.insert("position_frei_1".to_owned(), "1".to_owned());
        let sections = TemplateInput(fields.clone()).validate().expect("valid");
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].kind, SectionKind::Free);
        assert_eq!(sections[1].title, "Angaben zur Person");
        fields.insert("titel_unbekannt".to_owned(), "x".to_owned());
        assert!(TemplateInput(fields).validate().is_err());
        assert!(TemplateInput(BTreeMap::new()).validate().is_err());
    }

    #[test]
    fn planned_contacts_are_prorated_over_the_period() {
        let a = ContactArrangement {
            times: 2,
            period: ContactPeriod::Month,
            kind: VisitKind::Visit,
            supervised: true,
            note: String::new(),
        };
        assert_eq!(planned_between(&a, d("2026-01-01"), d("2026-06-30")), 12);
        assert_eq!(planned_between(&a, d("2026-01-16"), d("2026-01-31")), 1);
        assert_eq!(planned_between(&a, d("2026-02-01"), d("2026-01-01")), 0);
    }

    #[test]
    fn a_trend_names_its_direction() {
        assert_eq!(trend(&[2, 3, 4]), "2 → 3 → 4 (steigend)");
        assert_eq!(trend(&[3]), "3");
        assert_eq!(trend(&[]), "–");
    }

    #[test]
    fn the_period_runs_from_the_last_meeting_to_today_or_the_meeting() {
        let (from, to) = period(Some(d("2026-06-01")), Some(d("2024-01-01")), d("2026-11-20"), d("2026-12-10"));
        assert_eq!((from, to), (d("2026-06-01"), d("2026-11-20")));
        let (from, _) = period(None, Some(d("2026-03-01")), d("2026-11-20"), d("2026-11-10"));
        assert_eq!(from, d("2026-03-01"));
    }

    #[test]
    fn the_file_name_is_plain_ascii() {
        assert_eq!(
            file_name("Jürgen Groß-Éluard", "2026-12-24", 2),
            "Bericht-HPG-Juergen-Gross--luard-2026-12-24-Fassung-2.pdf"
        );
        assert!(file_name("\"; x", "2026\r\n", 1).chars().all(|c| c.is_ascii_graphic()));
    }

    #[test]
    fn a_view_needs_something_said() {
        let id = uuid::Uuid::now_v7().to_string();
        assert!(ViewInput { id: id.clone(), ..Default::default() }.validate().is_err());
        let ok = ViewInput { id, wish: "Mehr Ausgang".into(), ..Default::default() }.validate().expect("valid");
        assert_eq!(ok.1.wish, "Mehr Ausgang");
        assert!(ViewInput { id: "x".into(), wish: "a".into(), ..Default::default() }.validate().is_err());
    }

    #[test]
    fn regenerating_keeps_texts_and_dropped_lines() {
        let line = |text: &str| Line::item("2026-03-01", text, Vec::new());
        let section = |lines: Vec<Line>, text: &str| Section {
            key: "entwicklung".into(),
            kind: SectionKind::Development,
            title: "E".into(),
            lines,
            text: text.into(),
            changed_by: String::new(),
            changed_at: String::new(),
        };
        let mut dropped = line("alt");
        dropped.dropped = true;
        let old = ReportBody { sections: vec![section(vec![dropped, line("bleibt")], "Unser Text")] };
        let fresh = ReportBody { sections: vec![section(vec![line("alt"), line("bleibt"), line("neu")], "")] };
        let merged = old.regenerated(fresh);
        assert_eq!(merged.sections[0].text, "Unser Text");
        let flags: Vec<bool> = merged.sections[0].lines.iter().map(|l| l.dropped).collect();
        assert_eq!(flags, vec![true, false, false]);
    }
}
