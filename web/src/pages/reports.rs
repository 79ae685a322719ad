//! The street office's reports (统计报表), on the audit screen of an
//! office's device: for a month, a quarter or a year, what `jifen report`
//! prints, from this device's verified copy. Two bar charts first (points
//! by month over a year, and by service area), because people would
//! rather look at those than read them; then every table, each with a
//! button that saves it as CSV for Excel and WPS.

use ledger_core::Lang;
use ledger_core::notice::Period;
use ledger_core::report::{Report, ReportLine, Table};
use leptos::prelude::*;

use crate::i18n::{t, tr};
use crate::state::{AppLang, AppLedger};

/// Months without activity that make a resident inactive, as the CLI's
/// default.
const INACTIVE_MONTHS: u32 = 3;

/// Inactive residents listed on the screen (the CSV has all).
const INACTIVE_SHOWN: usize = 30;

/// The reports card: the period, the charts, the tables.
#[component]
pub fn ReportsCard() -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger { ledger, .. } = expect_context::<AppLedger>();
    let period = RwSignal::new(ledger.with_untracked(|l| {
        l.as_ref()
            .map(crate::pages::notice::last_month)
            .unwrap_or_default()
    }));
    let report = Memo::new(move |_| {
        let period = Period::parse(period.get().trim())?;
        ledger.with(|l| l.as_ref().map(|l| l.report(period, INACTIVE_MONTHS)))
    });
    view! {
        <section class="card reports-card" data-testid="reports">
            <h2>{tr(lang, "reports.title")}</h2>
            <div class="row">
                <label for="reports-period">{tr(lang, "reports.period")}</label>
                <input id="reports-period" prop:value=move || period.get() on:input=move |e| period.set(event_target_value(&e)) />
            </div>
            {move || match report.get() {
                None => view! { <p class="error" role="alert">{t(lang.get(), "notice.bad_period")}</p> }.into_any(),
                Some(report) => report_view(&report, lang.get()).into_any(),
            }}
        </section>
    }
}

/// The charts and the tables of one report.
fn report_view(report: &Report, lang: Lang) -> AnyView {
    let label = report.period.label();
    let by_month = bar_chart(
        &report.by_month,
        t(lang, "reports.chart_month"),
        lang,
        move |what| {
            what.get(5..)
                .unwrap_or(what)
                .trim_start_matches('0')
                .to_owned()
                + t(lang, "reports.month_unit")
        },
    );
    let by_area = bar_chart(
        &report.by_area,
        t(lang, "reports.chart_area"),
        lang,
        str::to_owned,
    );
    let tables = Table::ALL
        .into_iter()
        .filter(|&table| table != Table::Community || report.by_community.len() > 1)
        .map(|table| table_view(report, table, &label, lang))
        .collect_view();
    view! {
        <div class="charts">{by_month}{by_area}</div>
        {tables}
    }
    .into_any()
}

/// A bar chart of `lines`' points, drawn as SVG: one labelled bar each,
/// its value written above it, so nothing depends on colour. Screen
/// readers get the figures as one sentence.
fn bar_chart(
    lines: &[ReportLine],
    title: &'static str,
    lang: Lang,
    short: impl Fn(&str) -> String,
) -> AnyView {
    const HEIGHT: f64 = 160.0;
    const BAR: f64 = 36.0;
    const GAP: f64 = 12.0;
    let most = lines
        .iter()
        .map(|l| l.points.hundredths())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let width = (lines.len() as f64 * (BAR + GAP) + GAP).max(200.0);
    let said = lines
        .iter()
        .map(|l| format!("{} {}", l.what, l.points.to_wire()))
        .collect::<Vec<_>>()
        .join(match lang {
            Lang::Zh => "；",
            Lang::En => "; ",
        });
    let bars = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let value = line.points.hundredths().max(0) as f64;
            let height = (value / most * (HEIGHT - 30.0)).max(1.0);
            let x = GAP + i as f64 * (BAR + GAP);
            let y = HEIGHT - height;
            view! {
                <g class="chart-bar">
                    <rect x=x.to_string() y=y.to_string() width=BAR.to_string() height=height.to_string()></rect>
                    <text class="value" x=(x + BAR / 2.0).to_string() y=(y - 4.0).to_string()>{line.points.to_wire()}</text>
                    <text class="label" x=(x + BAR / 2.0).to_string() y=(HEIGHT + 16.0).to_string()>{short(&line.what)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg role="img" aria-label=format!("{title}: {said}") viewBox=format!("0 0 {width} {}", HEIGHT + 24.0) width=width.to_string() height=(HEIGHT + 24.0).to_string()>
                {bars}
            </svg>
        </figure>
    }
    .into_any()
}

/// One table with its title and a button that saves it as CSV.
fn table_view(report: &Report, table: Table, period: &str, lang: Lang) -> AnyView {
    let (header, mut rows) = report.table(table, lang);
    let all = rows.len();
    if table == Table::Inactive {
        rows.truncate(INACTIVE_SHOWN);
    }
    let csv = report.csv(table, lang);
    let file = format!("jifen-{period}-{}.csv", table.name());
    let save = move |_| crate::components::download_as(&csv, &file, "text/csv;charset=utf-8");
    let head = header
        .iter()
        .map(|h| view! { <th>{*h}</th> })
        .collect_view();
    let body = rows
        .into_iter()
        .map(|row| {
            let cells = row
                .into_iter()
                .enumerate()
                .map(|(i, cell)| {
                    let class = if i > 0 { "num" } else { "" };
                    view! { <td class=class>{cell}</td> }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    let more = (all > INACTIVE_SHOWN).then(|| {
        view! { <p class="hint">{format!("{} {all} · {}", t(lang, "reports.inactive_all"), t(lang, "reports.inactive_csv"))}</p> }
    });
    let title = match table {
        Table::Inactive => format!(
            "{} · {} {INACTIVE_MONTHS} {} · {all}",
            table.title(lang),
            t(lang, "reports.inactive_for"),
            t(lang, "reports.months")
        ),
        _ => table.title(lang).to_owned(),
    };
    view! {
        <section class="report-table" data-testid=format!("report-{}", table.name())>
            <h3>{title}</h3>
            <table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
            {more}
            <button on:click=save>{t(lang, "reports.csv")} " · " {table.title(lang)}</button>
        </section>
    }
    .into_any()
}
