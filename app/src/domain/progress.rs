//! The progress of one goal: the entries linked to it, its ratings from the monthly
//! talks per perspective, and the linked entries per month, with the two small charts
//! the server draws as SVG (no chart script runs in the browser).

use super::entry::EntryKind;
use super::goal::{Goal, GoalWarning};
use super::ids::{EntryId, YouthId};
use super::plan::{GoalRef, Perspective, Rating};
use crate::i18n::texts;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// How many linked entries the goal page lists (the newest); the monthly counts cover all.
pub const ENTRIES_SHOWN: usize = 50;
/// Months in the chart of linked entries.
pub const MONTHS_SHOWN: u32 = 12;
pub const EXCERPT_CHARS: usize = 160;

/// An entry linked to a goal, as the goal page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkedEntry {
    pub id: EntryId,
    pub kind: EntryKind,
    /// YYYY-MM-DD.
    pub date: String,
    pub excerpt: String,
    pub author_name: String,
}

/// One rating of the goal in a monthly talk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RatingPoint {
    pub date: String,
    pub perspective: Perspective,
    pub rating: Rating,
}

/// Linked entries in one calendar month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthCount {
    /// The first day of the month, YYYY-MM-DD.
    pub first: String,
    pub label: String,
    pub count: i64,
}

/// Everything the goal page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalProgress {
    pub goal: Goal,
    pub youth_id: YouthId,
    pub youth_name: String,
    /// The Richtungsziel of a Handlungsziel.
    pub parent: Option<GoalRef>,
    /// The Handlungsziele under a Richtungsziel.
    pub actions: Vec<GoalRef>,
    pub warnings: Vec<GoalWarning>,
    pub stale: bool,
    pub stale_weeks: i64,
    /// Newest first, at most [`ENTRIES_SHOWN`].
    pub entries: Vec<LinkedEntry>,
    pub entries_total: i64,
    /// Oldest first, the last [`MONTHS_SHOWN`] months.
    pub months: Vec<MonthCount>,
    /// Oldest first.
    pub ratings: Vec<RatingPoint>,
    /// The ratings chart (SVG markup), "" without ratings.
    pub ratings_chart: String,
    pub months_chart: String,
}

/// The first `max` characters of a text, on one line, with "…" when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut} …")
}

/// The months ending with `today`'s, oldest first, with their counts (`counts` by
/// "YYYY-MM").
pub fn month_counts(today: NaiveDate, counts: &[(String, i64)]) -> Vec<MonthCount> {
    let this = today.with_day(1).unwrap_or(today);
    (0..MONTHS_SHOWN)
        .rev()
        .filter_map(|back| this.checked_sub_months(Months::new(back)))
        .map(|first| {
            let key = first.format("%Y-%m").to_string();
            let count = counts.iter().find(|(m, _)| *m == key).map_or(0, |(_, c)| *c);
            MonthCount { first: first.to_string(), label: super::contact::month_label(first), count }
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn short_date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d").map(|d| d.format("%d.%m.%y").to_string()).unwrap_or_default()
}

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 104.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 64.0;

/// The ratings over time as a line chart: one line per perspective, told apart by line
/// style and marker shape as well as colour, with a title and a description for screen
/// readers (the page lists the same ratings as a table).
pub fn ratings_chart(ratings: &[RatingPoint], title_id: &str) -> String {
    let t = texts();
    if ratings.is_empty() {
        return String::new();
    }
    let days: Vec<NaiveDate> =
        ratings.iter().filter_map(|r| NaiveDate::parse_from_str(&r.date, "%Y-%m-%d").ok()).collect();
    let (Some(first), Some(last)) = (days.iter().min().copied(), days.iter().max().copied()) else {
        return String::new();
    };
    let span = (last - first).num_days().max(1) as f64;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let x = |d: NaiveDate| {
        if first == last { LEFT + plot_w / 2.0 } else { LEFT + (d - first).num_days() as f64 / span * plot_w }
    };
    let y = |step: i64| TOP + (5 - step) as f64 / 4.0 * plot_h;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart chart-ratings" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{title_id}" xmlns="http://www.w3.org/2000/svg"><title id="{title_id}">{}</title>"#,
        escape(t.progress_chart_title)
    );
    for rating in Rating::ALL {
        let yy = y(rating.step());
        let _ = write!(
            svg,
            r#"<line class="chart-grid" x1="{LEFT}" y1="{yy}" x2="{}" y2="{yy}"/><text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            LEFT - 8.0,
            yy + 4.0,
            escape(rating_short(*rating))
        );
    }
    let mut dates: Vec<NaiveDate> = days.clone();
    dates.sort_unstable();
    dates.dedup();
    let every = dates.len().div_ceil(6).max(1);
    for (i, d) in dates.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = i;
        let _ = write!(
            svg,
            r#"<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            x(*d),
            H - BOTTOM + 18.0,
            short_date(&d.to_string())
        );
    }
    for (n, perspective) in Perspective::ALL.iter().enumerate() {
        let mut points: Vec<(f64, f64)> = ratings
            .iter()
            .filter(|r| r.perspective == *perspective)
            .filter_map(|r| NaiveDate::parse_from_str(&r.date, "%Y-%m-%d").ok().map(|d| (x(d), y(r.rating.step()))))
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let class = format!("chart-{}", perspective.code());
        if points.len() > 1 {
            let path: Vec<String> = points.iter().map(|(px, py)| format!("{px:.1},{py:.1}")).collect();
            let _ = write!(svg, r#"<polyline class="chart-line {class}" points="{}"/>"#, path.join(" "));
        }
        for (px, py) in &points {
            svg.push_str(&marker(n, *px, *py, &class));
        }
        // The legend, below the axis.
        let lx = LEFT + n as f64 * 170.0;
        let ly = H - 16.0;
        let _ = write!(svg, r#"<line class="chart-line {class}" x1="{lx}" y1="{ly}" x2="{}" y2="{ly}"/>"#, lx + 28.0);
        svg.push_str(&marker(n, lx + 14.0, ly, &class));
        let _ = write!(
            svg,
            r#"<text class="chart-label" x="{}" y="{}">{}</text>"#,
            lx + 36.0,
            ly + 4.0,
            escape(perspective.label())
        );
    }
    svg.push_str("</svg>");
    svg
}

fn marker(n: usize, x: f64, y: f64, class: &str) -> String {
    match n {
        0 => format!(r#"<circle class="chart-point {class}" cx="{x:.1}" cy="{y:.1}" r="5"/>"#),
        1 => {
            format!(r#"<rect class="chart-point {class}" x="{:.1}" y="{:.1}" width="9" height="9"/>"#, x - 4.5, y - 4.5)
        }
        _ => format!(
            r#"<polygon class="chart-point {class}" points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}"/>"#,
            x,
            y - 6.0,
            x - 6.0,
            y + 5.0,
            x + 6.0,
            y + 5.0
        ),
    }
}

/// The first word of a rating ("teilweise"), for the chart's axis.
pub fn rating_short(rating: Rating) -> &'static str {
    let label = rating.label();
    label.split(' ').next().unwrap_or(label)
}

/// The linked entries per month as bars with their numbers.
pub fn months_chart(months: &[MonthCount], title_id: &str) -> String {
    let t = texts();
    let max = months.iter().map(|m| m.count).max().unwrap_or(0).max(1) as f64;
    let (w, h, base, top) = (640.0, 150.0, 118.0, 18.0);
    let slot = (w - 16.0) / months.len().max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart chart-months" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{title_id}" xmlns="http://www.w3.org/2000/svg"><title id="{title_id}">{}</title>"#,
        escape(t.progress_months_title)
    );
    let _ = write!(svg, r#"<line class="chart-grid" x1="8" y1="{base}" x2="{}" y2="{base}"/>"#, w - 8.0);
    for (i, m) in months.iter().enumerate() {
        let cx = 8.0 + slot * (i as f64 + 0.5);
        let bar_h = m.count as f64 / max * (base - top - 14.0);
        let _ = write!(
            svg,
            r#"<rect class="chart-bar" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/><text class="chart-label" x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="chart-label" x="{cx:.1}" y="{}" text-anchor="middle">{}</text>"#,
            cx - slot * 0.3,
            base - bar_h,
            slot * 0.6,
            bar_h,
            base - bar_h - 4.0,
            m.count,
            base + 18.0,
            escape(&m.label.chars().take(3).collect::<String>())
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_a_word_and_flatten_lines() {
        assert_eq!(excerpt("Mathe\nerledigt", 160), "Mathe erledigt");
        assert_eq!(excerpt("Hausaufgaben in Mathe erledigt", 20), "Hausaufgaben in …");
    }

    #[test]
    fn months_end_with_this_month_and_fill_in_zeros() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let months = month_counts(today, &[("2026-12".into(), 3), ("2026-01".into(), 1), ("2025-12".into(), 9)]);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].first, "2026-01-01");
        assert_eq!(months[0].count, 1);
        assert_eq!(months[11].label, "Dezember 2026");
        assert_eq!(months[11].count, 3);
        assert_eq!(months.iter().map(|m| m.count).sum::<i64>(), 4);
        let svg = months_chart(&months, "m");
        assert_eq!(svg.matches("<rect").count(), 12);
        assert!(svg.contains(">Dez<"));
    }

    #[test]
    fn the_ratings_chart_draws_a_line_per_perspective_and_nothing_without_ratings() {
        assert_eq!(ratings_chart(&[], "c"), "");
        let point = |date: &str, perspective, rating| RatingPoint { date: date.into(), perspective, rating };
        let ratings = [
            point("2026-10-01", Perspective::Staff, Rating::Slightly),
            point("2026-11-01", Perspective::Staff, Rating::Partly),
            point("2026-11-01", Perspective::Youth, Rating::Mostly),
        ];
        let svg = ratings_chart(&ratings, "c");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"aria-labelledby="c""#));
        // One line for the staff (two points); the youth's single point has no line.
        assert_eq!(svg.matches(r#"<polyline class="chart-line chart-staff""#).count(), 1);
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches(r#"<circle class="chart-point chart-staff""#).count(), 3);
        assert!(svg.contains(">01.10.26<") && svg.contains(">teilweise<"));
        assert!(!svg.contains("NaN"));
    }
}
