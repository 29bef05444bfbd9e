//! The report for the Hilfeplangespräch: the list on the plan page, the editor (sections
//! with their generated lines and sources, the people's text, the Fachberatung's
//! comments), review, signature, correction, dispatch, the summary for the young person,
//! and Leitung's list of sections.

use super::route_id;
use crate::api::reports::{
    CommentReport, CorrectReport, MarkReportExplained, MarkReportSent, RegenerateReport, ReportList, ReviewReport,
    SaveReportSection, SaveReportSummary, SaveReportTemplate, SignReport, StartReport, get_report, get_report_template,
};
use crate::auth::policy::Page;
use crate::components::form::{FormStatus, TextArea, TextField, field_error};
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::report::{Line, LineStyle, ReportComment, ReportStatus, ReportView, Section, template_keys};
use crate::domain::text::format_date;
use crate::i18n::{fill, texts};
use leptos::prelude::*;

/// The reports of a young person on their plan page, with the form to start one. (The
/// page loads the list: a resource made inside another's `<Load>` would not hydrate.)
#[component]
pub fn ReportsPanel(list: ReportList, start: ServerAction<StartReport>) -> impl IntoView {
    let t = texts();
    let value = Signal::derive(move || start.value().get());
    let l = list;
    view! {
        <section class="stack" aria-labelledby="reports-title" id="berichte">
            <h2 id="reports-title">{t.report_list_title}</h2>
            {l.reports.is_empty().then(|| view! { <p class="empty">{t.report_none}</p> })}
            <ul class="list" id="report-list">
                {l.reports.iter().map(|r| view! {
                    <li class="list-item"><a href=format!("/berichte/{}", r.id)>
                        {fill(t.report_list_item, &[("date", &format_date(&r.meeting_on)), ("n", &r.version.to_string()), ("status", r.status.label())])}
                    </a></li>
                }).collect_view()}
            </ul>
            {l.can_start.then(|| view! {
                <ActionForm action=start attr:class="form form-inline" attr:novalidate=true attr:id="report-start">
                    <FormStatus value />
                    <input type="hidden" name="input[youth_id]" value=l.youth_id.clone() />
                    <TextField label=t.report_meeting_on name="input[meeting_on]" id="report-meeting-on" kind="date" value=l.next_meeting.clone() hint=t.report_start_hint error=field_error(value, "meeting_on") />
                    <button type="submit" class="btn btn-primary" id="report-start-button">{t.report_start}</button>
                </ActionForm>
            })}
        </section>
    }
}

/// `/berichte/:id`: one version of a report in the editor.
#[component]
pub fn ReportPage() -> impl IntoView {
    let id = route_id();
    let actions = Actions::new();
    let report = Resource::new(
        move || (id.get(), actions.version()),
        |(id, _)| when_allowed(Page::Report, move || get_report(id)),
    );
    view! {
        <Guard page=Page::Report>
        <Load data=report let:r>
            <ReportEditor r actions />
        </Load>
        </Guard>
    }
}

/// Every form of the editor; each one's success reloads the report.
#[derive(Clone, Copy)]
struct Actions {
    section: ServerAction<SaveReportSection>,
    regenerate: ServerAction<RegenerateReport>,
    comment: ServerAction<CommentReport>,
    review: ServerAction<ReviewReport>,
    sign: ServerAction<SignReport>,
    correct: ServerAction<CorrectReport>,
    sent: ServerAction<MarkReportSent>,
    summary: ServerAction<SaveReportSummary>,
    explained: ServerAction<MarkReportExplained>,
}

impl Actions {
    fn new() -> Actions {
        Actions {
            section: ServerAction::new(),
            regenerate: ServerAction::new(),
            comment: ServerAction::new(),
            review: ServerAction::new(),
            sign: ServerAction::new(),
            correct: ServerAction::new(),
            sent: ServerAction::new(),
            summary: ServerAction::new(),
            explained: ServerAction::new(),
        }
    }

    fn version(&self) -> usize {
        self.section.version().get()
            + self.regenerate.version().get()
            + self.comment.version().get()
            + self.review.version().get()
            + self.sign.version().get()
            + self.correct.version().get()
            + self.sent.version().get()
            + self.summary.version().get()
            + self.explained.version().get()
    }
}

#[component]
fn ReportEditor(r: ReportView, actions: Actions) -> impl IntoView {
    let t = texts();
    let frozen = r.frozen();
    let title = fill(t.report_page_title, &[("name", &r.youth_name), ("date", &format_date(&r.meeting_on))]);
    let regenerate = Signal::derive(move || actions.regenerate.value().get());
    let sections = r.body.sections.clone();
    let comments = r.comments.clone();
    let (id, revision) = (r.id.clone(), r.revision);
    view! {
        <PageTitle text=title />
        <p class="page-lead">
            <a href=format!("/jugendliche/{}/hilfeplan#berichte", r.youth_id)>{fill(t.plan_of, &[("name", &r.youth_name)])}</a>
        </p>
        <div class="report-head card stack">
            <p id="report-status" class=format!("badge badge-{}", r.status.code())>{r.status.label()}</p>
            <dl class="facts">
                <dt>{t.report_version}</dt><dd id="report-version">{r.version}</dd>
                <dt>{t.rs_md_period}</dt><dd>{format!("{} – {}", format_date(&r.period_from), format_date(&r.period_to))}</dd>
                <dt>{t.report_created_by}</dt><dd>{r.created_by.clone()}</dd>
                {(!r.reviewed_by.is_empty()).then(|| view! { <dt>{t.report_reviewed}</dt><dd>{format!("{}, {}", r.reviewed_by, r.reviewed_at)}</dd> })}
                {(!r.signed_by.is_empty()).then(|| view! { <dt>{t.report_signed}</dt><dd id="report-signed">{format!("{}, {}", r.signed_by, r.signed_at)}</dd> })}
                {(!r.sent_on.is_empty()).then(|| view! { <dt>{t.report_sent}</dt><dd id="report-sent">{format_date(&r.sent_on)}</dd> })}
                {(!r.correction_reason.is_empty()).then(|| view! { <dt>{t.report_correction_reason}</dt><dd>{r.correction_reason.clone()}</dd> })}
            </dl>
            <p class="no-print">
                <a class="btn btn-secondary" id="report-pdf" href=format!("/berichte/{}/bericht.pdf", r.id) download="">{t.report_pdf}</a>
            </p>
            {frozen.then(|| view! { <p class="muted no-print">{t.report_frozen_hint}</p> })}
            {(r.can_edit).then(|| view! {
                <ActionForm action=actions.regenerate attr:class="form-inline no-print" attr:novalidate=true>
                    <FormStatus value=regenerate />
                    <input type="hidden" name="input[report_id]" value=id.clone() />
                    <input type="hidden" name="input[revision]" value=revision.to_string() />
                    <button type="submit" class="btn btn-secondary" id="report-regenerate">{t.report_regenerate}</button>
                    <span class="muted">{t.report_regenerate_hint}</span>
                </ActionForm>
            })}
            <Versions r=r.clone() />
        </div>
        <p class="muted no-print">{t.report_editor_lead}</p>
        {sections.into_iter().map(|s| {
            let own: Vec<ReportComment> = comments.iter().filter(|c| c.section == s.key).cloned().collect();
            view! { <SectionView section=s comments=own report=r.clone() actions /> }
        }).collect_view()}
        <Signing r=r.clone() actions />
        <Summary r actions />
    }
}

#[component]
fn Versions(r: ReportView) -> impl IntoView {
    let t = texts();
    (r.versions.len() > 1).then(|| {
        view! {
            <ul class="list no-print" id="report-versions">
                {r.versions.into_iter().map(|v| {
                    let label = fill(t.report_version_link, &[("n", &v.version.to_string()), ("status", v.status.label())]);
                    if v.id == r.id {
                        view! { <li class="list-item"><strong>{label}</strong></li> }.into_any()
                    } else {
                        view! { <li class="list-item"><a href=format!("/berichte/{}", v.id)>{label}</a></li> }.into_any()
                    }
                }).collect_view()}
            </ul>
        }
    })
}

/// A line's text as the report reads it.
fn line_view(line: &Line) -> AnyView {
    match line.style {
        LineStyle::Heading => view! { <h4 class="report-subheading">{line.text.clone()}</h4> }.into_any(),
        LineStyle::Fact => {
            view! { <span><strong>{line.label.clone()}": "</strong>{line.text.clone()}</span> }.into_any()
        }
        LineStyle::Item => {
            view! { <span><span class="report-date">{line.label.clone()}</span>" "{line.text.clone()}</span> }
                .into_any()
        }
        LineStyle::Quote => view! {
            <blockquote class="report-quote">
                {(!line.label.is_empty()).then(|| view! { <strong>{line.label.clone()}": "</strong> })}
                "„"{line.text.clone()}"“"
                <cite>{line.quote_source.clone()}</cite>
            </blockquote>
        }
        .into_any(),
        LineStyle::Remark => view! { <em class="muted">{line.text.clone()}</em> }.into_any(),
    }
}

/// The links to a line's sources (what the Fachberatung checks).
fn sources_view(line: &Line) -> impl IntoView {
    let t = texts();
    (!line.sources.is_empty()).then(|| {
        view! {
            <span class="report-sources no-print">
                <span class="visually-hidden">{t.report_sources}</span>
                {line.sources.iter().map(|s| match s.href() {
                    Some(href) => view! { <a class="report-source" href=href>{s.label()}</a> }.into_any(),
                    None => view! { <span class="report-source">{s.label()}</span> }.into_any(),
                }).collect_view()}
            </span>
        }
    })
}

#[component]
fn SectionView(section: Section, comments: Vec<ReportComment>, report: ReportView, actions: Actions) -> impl IntoView {
    let t = texts();
    let key = section.key.clone();
    let saved = Signal::derive(move || actions.section.value().get());
    let commented = Signal::derive(move || actions.comment.value().get());
    let editing = report.can_edit;
    let heading_id = format!("section-{key}-title");
    let lines = section.lines.clone();
    view! {
        <section class="card stack report-section" aria-labelledby=heading_id.clone() id=format!("section-{key}")>
            <h2 id=heading_id.clone()>{section.title.clone()}</h2>
            {(!section.changed_by.is_empty()).then(|| view! {
                <p class="muted no-print">{fill(t.report_changed, &[("name", &section.changed_by), ("at", &section.changed_at)])}</p>
            })}
            {if editing {
                let k = key.clone();
                let form_id = format!("section-{k}-form");
                let rid = report.id.clone();
                let kept: Vec<Line> = lines.iter().filter(|l| !l.dropped).cloned().collect();
                let written = section.text.clone();
                view! {
                    <ActionForm action=actions.section attr:class="form" attr:novalidate=true attr:id=form_id>
                        <input type="hidden" name="input[report_id]" value=rid />
                        <input type="hidden" name="input[section]" value=k.clone() />
                        <input type="hidden" name="input[revision]" value=report.revision.to_string() />
                        {(!lines.is_empty()).then(|| view! {
                            <ul class="report-lines">
                                {lines.iter().enumerate().map(|(i, line)| {
                                    let box_id = format!("line-{k}-{i}");
                                    view! {
                                        <li class="report-line" class:report-line-dropped=line.dropped>
                                            {line_view(line)}
                                            {sources_view(line)}
                                            {(line.style != LineStyle::Heading && line.style != LineStyle::Remark).then(|| view! {
                                                <label class="report-drop" for=box_id.clone()>
                                                    <input type="checkbox" id=box_id.clone() name=format!("input[dropped][{i}]") value=i.to_string() checked=line.dropped />
                                                    {t.report_drop}
                                                </label>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        })}
                        <TextArea label=t.report_text name="input[text]" id=format!("section-{k}-text") value=section.text.clone() rows=5
                            hint=if section.kind.written_by_people() { t.report_text_hint_people } else { t.report_text_hint } maxlength=crate::domain::report::SECTION_TEXT_MAX error=field_error(saved, "text") />
                        <FormStatus value=saved />
                        <button type="submit" class="btn btn-primary" id=format!("section-{k}-save")>{t.report_save_section}</button>
                    </ActionForm>
                    // What a print of the draft shows (the form is not printed).
                    <div class="print-only">
                        <ul class="report-lines">
                            {kept.iter().map(|line| view! { <li class="report-line">{line_view(line)}</li> }).collect_view()}
                        </ul>
                        {(!written.is_empty()).then(|| view! { <p class="report-text">{written.clone()}</p> })}
                    </div>
                }.into_any()
            } else {
                view! {
                    <ul class="report-lines">
                        {lines.iter().filter(|l| !l.dropped).map(|line| view! {
                            <li class="report-line">{line_view(line)}{sources_view(line)}</li>
                        }).collect_view()}
                    </ul>
                    {(!section.text.is_empty()).then(|| view! { <p class="report-text" id=format!("section-{key}-written")>{section.text.clone()}</p> })}
                }.into_any()
            }}
            {(!comments.is_empty()).then(|| view! {
                <ul class="list report-comments no-print" id=format!("section-{key}-comments")>
                    {comments.into_iter().map(|c| view! {
                        <li class="list-item"><p>{c.text}</p><p class="muted">{format!("{}, {}", c.author_name, c.at)}</p></li>
                    }).collect_view()}
                </ul>
            })}
            {report.can_review.then({
                let k = key.clone();
                let rid = report.id.clone();
                move || view! {
                    <details class="no-print">
                        <summary id=format!("section-{k}-comment-open")>{t.report_comment}</summary>
                        <ActionForm action=actions.comment attr:class="form" attr:novalidate=true>
                            <input type="hidden" name="input[report_id]" value=rid />
                            <input type="hidden" name="input[section]" value=k.clone() />
                            <TextArea label=t.report_comment name="input[text]" id=format!("section-{k}-comment") maxlength=crate::domain::report::COMMENT_MAX error=field_error(commented, "text") />
                            <button type="submit" class="btn btn-secondary" id=format!("section-{k}-comment-save")>{t.report_comment_save}</button>
                        </ActionForm>
                    </details>
                }
            })}
        </section>
    }
}

/// Review, signature, correction and the day it was sent.
#[component]
fn Signing(r: ReportView, actions: Actions) -> impl IntoView {
    let t = texts();
    let frozen = r.frozen();
    let reviewed = Signal::derive(move || actions.review.value().get());
    let signed = Signal::derive(move || actions.sign.value().get());
    let corrected = Signal::derive(move || actions.correct.value().get());
    let sent = Signal::derive(move || actions.sent.value().get());
    let rid = r.id.clone();
    let revision = r.revision.to_string();
    view! {
        <section class="card stack no-print" aria-labelledby="report-signing-title" id="report-signing">
            <h2 id="report-signing-title">{t.report_signing}</h2>
            {(r.can_review && !frozen && r.status == ReportStatus::Draft).then({
                let (rid, revision) = (rid.clone(), revision.clone());
                move || view! {
                <ActionForm action=actions.review attr:class="form-inline" attr:novalidate=true>
                    <FormStatus value=reviewed />
                    <Hidden id=rid revision />
                    <button type="submit" class="btn btn-secondary" id="report-review">{t.report_review}</button>
                </ActionForm>
            }})}
            {(r.can_sign && !frozen).then({
                let (rid, revision) = (rid.clone(), revision.clone());
                move || view! {
                <ActionForm action=actions.sign attr:class="form-inline" attr:novalidate=true>
                    <FormStatus value=signed />
                    <Hidden id=rid revision />
                    <p class="muted">{t.report_sign_hint}</p>
                    <button type="submit" class="btn btn-primary" id="report-sign">{t.report_sign}</button>
                </ActionForm>
            }})}
            {(!frozen && !r.can_sign).then(|| view! { <p class="muted">{t.report_sign_by_lead}</p> })}
            {(r.can_sign && frozen).then({
                let rid = rid.clone();
                move || view! {
                <details>
                    <summary id="report-correct-open">{t.report_correct}</summary>
                    <ActionForm action=actions.correct attr:class="form" attr:novalidate=true>
                        <FormStatus value=corrected />
                        <input type="hidden" name="input[report_id]" value=rid />
                        <TextArea label=t.report_correction_reason name="input[reason]" id="report-correct-reason" required=true maxlength=crate::domain::report::REASON_MAX error=field_error(corrected, "reason") />
                        <button type="submit" class="btn btn-secondary" id="report-correct">{t.report_correct}</button>
                    </ActionForm>
                </details>
            }})}
            {(r.can_review && frozen).then({
                let (rid, sent_on) = (rid.clone(), r.sent_on.clone());
                move || view! {
                <ActionForm action=actions.sent attr:class="form form-inline" attr:novalidate=true>
                    <FormStatus value=sent />
                    <input type="hidden" name="input[report_id]" value=rid />
                    <TextField label=t.report_sent_on name="input[date]" id="report-sent-on" kind="date" value=sent_on error=field_error(sent, "date") />
                    <button type="submit" class="btn btn-secondary" id="report-sent-save">{t.report_sent_save}</button>
                </ActionForm>
            }})}
        </section>
    }
}

/// The report and the revision a form acts on.
#[component]
fn Hidden(id: String, revision: String) -> impl IntoView {
    view! {
        <input type="hidden" name="input[report_id]" value=id />
        <input type="hidden" name="input[revision]" value=revision />
    }
}

/// "Das steht in deinem Bericht": the summary for the young person and the day the
/// report was explained to them.
#[component]
fn Summary(r: ReportView, actions: Actions) -> impl IntoView {
    let t = texts();
    let saved = Signal::derive(move || actions.summary.value().get());
    let explained = Signal::derive(move || actions.explained.value().get());
    let released = !r.summary_released_at.is_empty();
    let can_write = r.can_write;
    let (summary_id, explained_id) = (r.id.clone(), r.id.clone());
    view! {
        <section class="card stack no-print" aria-labelledby="report-summary-title" id="report-summary">
            <h2 id="report-summary-title">{t.report_summary_title}</h2>
            <p class="muted">{t.report_summary_lead}</p>
            {if released || !can_write {
                view! {
                    <p id="report-summary-text">{if r.summary.is_empty() { t.report_summary_none.to_owned() } else { r.summary.clone() }}</p>
                    {released.then(|| view! { <p class="muted" id="report-summary-released">{fill(t.report_summary_released, &[("at", &r.summary_released_at)])}</p> })}
                }.into_any()
            } else {
                view! {
                    <ActionForm action=actions.summary attr:class="form" attr:novalidate=true>
                        <FormStatus value=saved />
                        <input type="hidden" name="input[report_id]" value=summary_id />
                        <TextArea label=t.report_summary name="input[summary]" id="report-summary-input" value=r.summary.clone() rows=5 maxlength=crate::domain::report::SUMMARY_MAX error=field_error(saved, "summary") />
                        <div class="field">
                            <label class="choice" for="report-summary-release">
                                <input type="checkbox" id="report-summary-release" name="input[release]" value="ja" />
                                {t.report_summary_release}
                            </label>
                        </div>
                        <button type="submit" class="btn btn-secondary" id="report-summary-save">{t.save}</button>
                    </ActionForm>
                }.into_any()
            }}
            {(!r.explained_on.is_empty()).then(|| view! {
                <p id="report-explained">{fill(t.report_explained_on, &[("date", &format_date(&r.explained_on)), ("name", &r.explained_by)])}</p>
            })}
            {can_write.then(move || view! {
                <ActionForm action=actions.explained attr:class="form form-inline" attr:novalidate=true>
                    <FormStatus value=explained />
                    <input type="hidden" name="input[report_id]" value=explained_id />
                    <TextField label=t.report_explained name="input[date]" id="report-explained-on" kind="date" error=field_error(explained, "date") />
                    <button type="submit" class="btn btn-secondary" id="report-explained-save">{t.report_explained_save}</button>
                </ActionForm>
            })}
        </section>
    }
}

/// `/einstellungen/bericht`: Leitung sets which sections the report has, in which order
/// and with which titles.
#[component]
pub fn ReportTemplatePage() -> impl IntoView {
    let t = texts();
    let save = ServerAction::<SaveReportTemplate>::new();
    let value = Signal::derive(move || save.value().get());
    let template = Resource::new(|| (), |_| when_allowed(Page::ReportTemplate, get_report_template));
    view! {
        <Guard page=Page::ReportTemplate>
        <PageTitle text=t.report_template_title.to_owned() />
        <p class="page-lead">{t.report_template_lead}</p>
        <Load data=template let:tv>
            <ActionForm action=save attr:class="form" attr:novalidate=true attr:id="report-template">
                <FormStatus value success=t.report_template_saved />
                {field_error(value, "sections").get_untracked().map(|e| view! { <p class="alert alert-error">{e}</p> })}
                <table class="table">
                    <thead><tr><th>{t.report_template_section}</th><th>{t.report_template_title_col}</th><th>{t.report_template_position}</th></tr></thead>
                    <tbody>
                        {template_keys().into_iter().enumerate().map(|(i, key)| {
                            let kind = crate::domain::report::SectionKind::parse(&key).unwrap_or(crate::domain::report::SectionKind::Free);
                            let current = tv.sections.iter().position(|s| s.key == key);
                            let title = current.map(|p| tv.sections[p].title.clone()).unwrap_or_default();
                            let position = current.map(|p| (p + 1).to_string()).unwrap_or_else(|| (i + 1).to_string());
                            let name = if kind == crate::domain::report::SectionKind::Free { format!("{} {}", kind.label(), key.trim_start_matches("frei_")) } else { kind.label().to_owned() };
                            view! {
                                <tr>
                                    <td><label for=format!("tpl-{key}")>{name}</label></td>
                                    <td><input type="text" id=format!("tpl-{key}") name=format!("input[titel_{key}]") value=title maxlength=crate::domain::report::TITLE_MAX /></td>
                                    <td><input type="number" min="1" max="20" id=format!("tpl-{key}-pos") name=format!("input[position_{key}]") value=position aria-label=t.report_template_position /></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <p class="muted">{t.report_template_hint}</p>
                <button type="submit" class="btn btn-primary" id="report-template-save">{t.save}</button>
            </ActionForm>
        </Load>
        </Guard>
    }
}
