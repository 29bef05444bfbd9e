//! Server-side PDF rendering of German A4 reports.
//!
//! Reports are typeset by typst, used as a library, with a fixed layout template
//! compiled into the crate (`src/report.typ`) and the DejaVu Sans fonts embedded in
//! the binary. Nothing is read from disk, looked up on the system or fetched from
//! the network at run time.
//!
//! The content of a report comes from users, so it is never spliced into typst
//! source: splicing would let a text such as `#panic("x")`, `*bold*` or `$x$` run
//! as markup or code. Instead the [`Document`] is serialized to JSON and offered to
//! the compiler as the virtual file `/data.json`; the template loads it with
//! typst's `json(...)` and sets every string as plain text, so all characters
//! appear literally. The compiler sees only two files, `/main.typ` (the template)
//! and `/data.json`; every other path and every package import fails.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use typst::diag::{FileError, FileResult, PackageError, SourceDiagnostic};
use typst::ecow::EcoVec;
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// A report: title page information, sections and a signature block.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Document {
    /// Header left on every page, and the PDF's author metadata: the institute's name.
    pub institute: String,
    /// Big title on page 1 and the PDF title metadata, e.g. "Bericht zum Hilfeplangespräch".
    pub title: String,
    /// Under the title, e.g. "Mia Beispiel · Wohngruppe Sonnenhof".
    pub subtitle: String,
    /// Header right on every page, e.g. "Fassung 2 · unterschrieben am 03.12.2026".
    pub version_label: String,
    /// A two-column key/value table under the title (e.g. "Zeitraum" -> "01.06.2026 – 30.11.2026").
    pub facts: Vec<(String, String)>,
    pub sections: Vec<Section>,
    /// The signature block at the end: one line each.
    pub signatures: Vec<Signature>,
}

/// A section with an unnumbered heading.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// A piece of content inside a section. All text is set literally.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Running text, may contain line breaks ("\n" = new line, "\n\n" = new paragraph).
    Paragraph { text: String },
    /// A dated fact in a list: date in a fixed narrow left column (e.g. "12.03.2026"), text right of it, wrapped.
    Item { date: String, text: String },
    /// A quotation, set indented/with a rule, followed by its source (e.g. "Mutter, Elterngespräch am 12.03.2026").
    Quote { text: String, source: String },
    /// A small key/value table.
    Facts { rows: Vec<(String, String)> },
    /// A muted, italic remark, e.g. "Keine Einträge im Zeitraum."
    Remark { text: String },
    /// A sub-heading inside a section (e.g. a goal's title).
    Subheading { text: String },
}

/// One line of the signature block.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Signature {
    /// e.g. "Gruppe", "Fachberatung", "Leitung".
    pub role: String,
    /// Empty = a blank line to sign by hand.
    pub name: String,
    /// e.g. "03.12.2026, 14:05" or empty.
    pub date: String,
}

/// Rendering failed; the message describes why.
#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PDF rendering failed: {}", self.0)
    }
}

impl std::error::Error for Error {}

/// The layout template, served as `/main.typ`.
const TEMPLATE: &str = include_str!("report.typ");

/// DejaVu Sans in the four styles the template uses (licence in `fonts/LICENSE`).
const FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/DejaVuSans.ttf"),
    include_bytes!("../fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../fonts/DejaVuSans-Oblique.ttf"),
    include_bytes!("../fonts/DejaVuSans-BoldOblique.ttf"),
];

/// How many renders a memoized typst result survives without being used again.
/// Keeps the shared parts (template, fonts, common layouts) warm while bounding
/// the memory held by the compiler's caches.
const CACHE_MAX_AGE: usize = 4;

/// Everything that is the same for every render, prepared once per process.
struct Assets {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: FileId,
    data: FileId,
    template: Source,
}

static ASSETS: OnceLock<Result<Assets, String>> = OnceLock::new();

fn assets() -> Result<&'static Assets, Error> {
    ASSETS.get_or_init(load_assets).as_ref().map_err(|message| Error(message.clone()))
}

fn load_assets() -> Result<Assets, String> {
    let fonts: Vec<Font> = FONTS.iter().filter_map(|data| Font::new(Bytes::new(*data), 0)).collect();
    if fonts.len() != FONTS.len() {
        return Err("an embedded font could not be read".into());
    }
    let project_file = |path: &str| {
        VirtualPath::new(path)
            .map(|vpath| RootedPath::new(VirtualRoot::Project, vpath).intern())
            .map_err(|err| format!("invalid virtual path {path}: {err:?}"))
    };
    let main = project_file("/main.typ")?;
    let data = project_file("/data.json")?;
    Ok(Assets {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        template: Source::new(main, TEMPLATE.to_owned()),
        fonts,
        main,
        data,
    })
}

/// The compiler's view of one render: the template and this document's data, nothing else.
struct ReportWorld {
    assets: &'static Assets,
    data: Bytes,
}

impl ReportWorld {
    fn unavailable(id: FileId) -> FileError {
        match id.root() {
            VirtualRoot::Package(spec) => FileError::Package(PackageError::NotFound(spec.clone())),
            VirtualRoot::Project => FileError::NotFound(id.vpath().get_with_slash().into()),
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.assets.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.assets.book
    }

    fn main(&self) -> FileId {
        self.assets.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.assets.main {
            Ok(self.assets.template.clone())
        } else if id == self.assets.data {
            // The data may only be loaded as data, never included as markup.
            Err(FileError::NotSource)
        } else {
            Err(Self::unavailable(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.assets.main {
            Ok(Bytes::from_string(self.assets.template.clone()))
        } else if id == self.assets.data {
            Ok(self.data.clone())
        } else {
            Err(Self::unavailable(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.assets.fonts.get(index).cloned()
    }

    fn today(&self, offset: Option<Duration>) -> Option<Datetime> {
        // Without an explicit offset the date is taken in UTC (the server's zone is unknown).
        let shift = offset.map_or(0, |offset| offset.seconds() as i64);
        let (year, month, day, _) = utc_now(shift)?;
        Datetime::from_ymd(year, month, day)
    }
}

/// Current UTC time shifted by `shift` seconds, as (year, month, day, seconds of the day).
fn utc_now(shift: i64) -> Option<(i32, u8, u8, u32)> {
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs()).ok()?;
    let secs = now.checked_add(shift)?;
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400))?;
    Some((year, month, day, u32::try_from(secs.rem_euclid(86_400)).ok()?))
}

/// Proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> Option<(i32, u8, u8)> {
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Some((i32::try_from(year).ok()?, u8::try_from(month).ok()?, u8::try_from(day).ok()?))
}

/// The PDF creation date: now, in UTC.
fn timestamp() -> Option<typst_pdf::Timestamp> {
    let (year, month, day, secs) = utc_now(0)?;
    let hour = u8::try_from(secs / 3_600).ok()?;
    let minute = u8::try_from(secs / 60 % 60).ok()?;
    let second = u8::try_from(secs % 60).ok()?;
    Datetime::from_ymd_hms(year, month, day, hour, minute, second).map(typst_pdf::Timestamp::new_utc)
}

fn describe(diagnostics: &EcoVec<SourceDiagnostic>) -> Error {
    let messages: Vec<String> = diagnostics
        .iter()
        .map(|diagnostic| {
            let mut message = diagnostic.message.to_string();
            for hint in &diagnostic.hints {
                message.push_str(" (hint: ");
                message.push_str(&hint.v);
                message.push(')');
            }
            message
        })
        .collect();
    Error(messages.join("; "))
}

/// Renders the document to the bytes of a PDF file.
///
/// Safe to call from several threads at once. The first call prepares fonts and
/// the standard library; later calls reuse them.
pub fn render(doc: &Document) -> Result<Vec<u8>, Error> {
    let assets = assets()?;
    let data = serde_json::to_vec(doc).map_err(|err| Error(format!("serializing the document: {err}")))?;
    let world = ReportWorld { assets, data: Bytes::new(data) };
    let options = typst_pdf::PdfOptions { timestamp: timestamp(), ..typst_pdf::PdfOptions::default() };
    let result = typst::compile(&world)
        .output
        .map_err(|diagnostics| describe(&diagnostics))
        .and_then(|document| typst_pdf::pdf(&document, &options).map_err(|diagnostics| describe(&diagnostics)));
    typst::comemo::evict(CACHE_MAX_AGE);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::Instant;

    const PDFTOTEXT: &str = "/usr/bin/pdftotext";
    const INJECTION: &str = r#"#panic("x") *bold* $x$ <a> @ref \"#;

    fn fact(key: &str, value: &str) -> (String, String) {
        (key.to_owned(), value.to_owned())
    }

    fn paragraph(text: &str) -> Block {
        Block::Paragraph { text: text.to_owned() }
    }

    /// A realistic report; `scale` multiplies the dated items and paragraphs.
    fn sample(scale: usize, variant: &str) -> Document {
        let long = "Mia hat sich in den vergangenen Monaten gut in die Gruppe eingelebt. Sie nimmt regelmäßig \
                    an den Gruppenabenden teil, übernimmt kleine Aufgaben im Haushalt und sucht von sich aus das \
                    Gespräch mit den Betreuerinnen und Betreuern. Schwierigkeiten zeigen sich weiterhin bei der \
                    Tagesstruktur, insbesondere beim pünktlichen Aufstehen an Schultagen; hier wurden gemeinsam \
                    Weckzeiten und eine Belohnungsübersicht vereinbart.";
        let mut sections = vec![Section {
            title: "Entwicklung im Berichtszeitraum".into(),
            blocks: vec![
                paragraph(&format!("{long}\n\n{variant} Zweiter Absatz mit „Anführungszeichen“, Straße, Größe – Übergänge.\nNeue Zeile im selben Absatz.")),
                Block::Quote {
                    text: "Ich möchte gern länger bleiben, weil es hier ruhiger ist als zu Hause. Außerdem habe ich jetzt eine Freundin in der Schule.".into(),
                    source: "Mia, Bezugsbetreuungsgespräch am 12.03.2026".into(),
                },
                Block::Facts { rows: vec![fact("Schule", "Gesamtschule Nord, 8. Klasse"), fact("Fehltage", "4 (entschuldigt)")] },
            ],
        }];
        let mut items = Vec::new();
        for i in 0..40 * scale {
            items.push(Block::Item {
                date: format!("{:02}.{:02}.2026", i % 28 + 1, i % 12 + 1),
                text: format!("Eintrag {i}: Telefonat mit der Mutter über das Wochenende; Absprachen zu Heimfahrten, Taschengeld und Schulmaterial wurden getroffen. {variant}"),
            });
        }
        sections.push(Section { title: "Chronologie".into(), blocks: items });
        let mut goals = Vec::new();
        for i in 0..3 * scale {
            goals.push(Block::Subheading { text: format!("Ziel {}: Selbstständigkeit im Alltag", i + 1) });
            goals.push(paragraph(long));
            goals.push(Block::Remark { text: "Keine Einträge im Zeitraum.".into() });
        }
        sections.push(Section { title: "Ziele".into(), blocks: goals });
        Document {
            institute: "Jugendhilfe Beispielstadt gGmbH".into(),
            title: "Bericht zum Hilfeplangespräch".into(),
            subtitle: "Mia Beispiel · Wohngruppe Sonnenhof".into(),
            version_label: "Fassung 2 · unterschrieben am 03.12.2026".into(),
            facts: vec![
                fact("Zeitraum", "01.06.2026 – 30.11.2026"),
                fact("Geburtsdatum", "14.02.2012"),
                fact("Bezugsbetreuung", "Jörg Weiß"),
            ],
            sections,
            signatures: vec![
                Signature { role: "Gruppe".into(), name: "Jörg Weiß".into(), date: "03.12.2026, 14:05".into() },
                Signature { role: "Fachberatung".into(), name: String::new(), date: String::new() },
                Signature { role: "Leitung".into(), name: "Dr. Anna Groß".into(), date: String::new() },
            ],
        }
    }

    /// Writes the PDF to a temporary file; also to `$GRUPPENBUCH_PDF_KEEP/<name>.pdf` if that is set.
    fn temp_pdf(name: &str, bytes: &[u8]) -> PathBuf {
        if let Some(dir) = std::env::var_os("GRUPPENBUCH_PDF_KEEP") {
            std::fs::write(Path::new(&dir).join(format!("{name}.pdf")), bytes).expect("keep PDF");
        }
        let path = std::env::temp_dir().join(format!("gruppenbuch-pdf-{}-{name}.pdf", std::process::id()));
        std::fs::write(&path, bytes).expect("write temporary PDF");
        path
    }

    /// The PDF's text with all whitespace collapsed, or `None` without poppler.
    fn extract_text(path: &Path) -> Option<String> {
        if !Path::new(PDFTOTEXT).exists() {
            eprintln!("{PDFTOTEXT} missing, text assertions skipped");
            return None;
        }
        let output = Command::new(PDFTOTEXT).arg(path).arg("-").output().expect("run pdftotext");
        assert!(output.status.success(), "pdftotext failed");
        let text = String::from_utf8(output.stdout).expect("UTF-8 text");
        Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// The total from the footer "Seite 1 von N", if poppler is present.
    fn page_count(bytes: &[u8]) -> Option<String> {
        let path = temp_pdf("count", bytes);
        let text = extract_text(&path);
        std::fs::remove_file(path).ok();
        let text = text?;
        let rest = &text[text.find("Seite 1 von ")? + "Seite 1 von ".len()..];
        Some(rest.chars().take_while(char::is_ascii_digit).collect())
    }

    #[test]
    fn renders_multi_page_report() {
        let doc = sample(1, "");
        let bytes = render(&doc).expect("render");
        assert!(bytes.starts_with(b"%PDF"));
        let path = temp_pdf("multi", &bytes);
        if let Some(text) = extract_text(&path) {
            assert!(text.contains("Seite 1 von"), "{text}");
            assert!(!text.contains("Seite 1 von 1 "), "expected several pages");
            assert!(text.contains("Bericht zum Hilfeplangespräch"));
            assert!(text.contains("„Anführungszeichen“, Straße, Größe – Übergänge."));
            assert!(text.contains("Jugendhilfe Beispielstadt gGmbH"));
            assert!(text.contains("Fassung 2 · unterschrieben am 03.12.2026"));
            assert!(text.contains("Eintrag 39:"));
            assert!(text.contains("Unterschriften"));
        }
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn user_text_is_never_markup() {
        let doc = Document {
            title: INJECTION.into(),
            facts: vec![fact(INJECTION, INJECTION)],
            sections: vec![Section {
                title: INJECTION.into(),
                blocks: vec![
                    paragraph(INJECTION),
                    Block::Item { date: "#".into(), text: INJECTION.into() },
                    Block::Quote { text: INJECTION.into(), source: INJECTION.into() },
                    Block::Remark {
                        text: r#"#include "/data.json" #read("/etc/passwd") #import "@preview/x:1.0.0""#.into(),
                    },
                ],
            }],
            ..Document::default()
        };
        let bytes = render(&doc).expect("markup-like text renders as text");
        assert!(bytes.starts_with(b"%PDF"));
        let path = temp_pdf("injection", &bytes);
        if let Some(text) = extract_text(&path) {
            assert!(text.matches(INJECTION).count() >= 6, "{text}");
            assert!(text.contains(r#"#read("/etc/passwd")"#), "{text}");
        }
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn world_serves_only_template_and_data() {
        let assets = assets().expect("assets");
        let world = ReportWorld { assets, data: Bytes::new(b"{}".to_vec()) };
        assert!(world.source(assets.main).is_ok());
        assert!(world.file(assets.data).is_ok());
        assert!(world.source(assets.data).is_err());
        let other = RootedPath::new(VirtualRoot::Project, VirtualPath::new("/etc/passwd").expect("path")).intern();
        assert!(matches!(world.file(other), Err(FileError::NotFound(_))));
        assert!(matches!(world.source(other), Err(FileError::NotFound(_))));
        let spec: typst::syntax::package::PackageSpec = "@preview/example:1.0.0".parse().expect("spec");
        let in_package =
            RootedPath::new(VirtualRoot::Package(spec), VirtualPath::new("/lib.typ").expect("path")).intern();
        assert!(matches!(world.source(in_package), Err(FileError::Package(PackageError::NotFound(_)))));
        assert!(world.today(None).is_some());
    }

    #[test]
    fn renders_empty_document() {
        let bytes = render(&Document::default()).expect("render empty");
        assert!(bytes.starts_with(b"%PDF"));
        let path = temp_pdf("empty", &bytes);
        if let Some(text) = extract_text(&path) {
            assert!(text.contains("Seite 1 von 1"), "{text}");
        }
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn long_content_wraps_and_breaks_across_pages() {
        let sentence = "Sehr lange Beobachtung mit Umlauten äöü und ß, die umbrechen muss. ";
        let long = format!("{}Ende des langen Textes.", sentence.repeat(120));
        let word = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen".repeat(6);
        let doc = Document {
            title: word.clone(),
            facts: vec![fact(&word, &long)],
            sections: vec![Section {
                title: word.clone(),
                blocks: vec![
                    Block::Item { date: "01.01.2026 bis 31.12.2026".into(), text: long.clone() },
                    Block::Quote { text: long.clone(), source: word.clone() },
                    paragraph(&format!("{word}\n\n\n\n{long}")),
                    Block::Facts { rows: Vec::new() },
                    Block::Subheading { text: String::new() },
                ],
            }],
            signatures: vec![Signature::default()],
            ..Document::default()
        };
        let bytes = render(&doc).expect("render long content");
        let path = temp_pdf("long", &bytes);
        if let Some(text) = extract_text(&path) {
            assert!(text.contains("Seite 5 von"), "expected the long texts to fill several pages");
            assert!(text.contains("Ende des langen Textes."));
        }
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), Some((1970, 1, 1)));
        assert_eq!(civil_from_days(20_790), Some((2026, 12, 3)));
        assert_eq!(civil_from_days(11_016), Some((2000, 2, 29)));
    }

    #[test]
    fn timing_of_a_twenty_page_report() {
        let first = Instant::now();
        let bytes = render(&sample(9, "Start.")).expect("render");
        let first = first.elapsed();
        let pages = page_count(&bytes);
        let mut warm = Vec::new();
        for round in 0..3 {
            // Different content each round, so results are not simply replayed from the cache.
            let doc = sample(9, &format!("Runde {round}."));
            let start = Instant::now();
            render(&doc).expect("render");
            warm.push(start.elapsed());
        }
        eprintln!("{} pages: first render {first:?}, warm renders {warm:?}", pages.unwrap_or_default());
    }
}
