//! Scale measurement of the printable report (docs/performance.md): N
//! synthetic results (default 10,000; see `synthetic.rs`) rendered as
//! PDF/A-2b and as HTML, timed; both files are written to the directory
//! given, so that `bench/report.sh` can time a peer (Chromium printing the
//! HTML to PDF) on the same data.
//!
//! `cargo run --release -p hozon-report --example report_scale -- OUT_DIR [N]`

mod synthetic;

use std::path::PathBuf;
use std::time::Instant;

use hozon_i18n::Lang;
use hozon_report::{ReportFont, RunMeta};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: report_scale OUT_DIR [N]")?);
    let n: usize = args.next().map_or(Ok(10_000), |s| s.parse())?;
    let font = ReportFont::find(
        std::env::var_os("HOZON_FONT")
            .as_deref()
            .map(std::path::Path::new),
    )?;
    let report = synthetic::report(n);
    let meta = || RunMeta {
        hozon_version: env!("CARGO_PKG_VERSION").into(),
        host: "bench".into(),
        generated_at: "2026-12-07T05:00:01Z".into(),
        ..RunMeta::default()
    };
    let t = Instant::now();
    let pdf = hozon_report::render_pdf(&report, meta(), Lang::Ja, &font)?;
    let pdf_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let html = hozon_report::render_html(&report, meta(), Lang::Ja)?;
    let html_s = t.elapsed().as_secs_f64();
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("report.pdf"), &pdf)?;
    std::fs::write(out.join("report.html"), &html)?;
    println!(
        "results={n} pdf_seconds={pdf_s:.2} pdf_bytes={} html_seconds={html_s:.2} html_bytes={}",
        pdf.len(),
        html.len()
    );
    Ok(())
}
