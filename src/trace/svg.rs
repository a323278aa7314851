//! The trace picture as a standalone SVG (for handouts and slides): the same
//! rows and lanes as the text picture ([`draw::layout`]).

use std::fmt::Write as _;

use super::Trace;
use super::draw::{self, Glyph, Layout, RowKind, Style};

const ROW: f64 = 22.0;
const LANE: f64 = 22.0;
const TOP: f64 = 34.0;
const FONT: &str = "font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"13\"";

fn colour(kind: RowKind) -> &'static str {
    match kind {
        RowKind::Fork => "#1a7f37",
        RowKind::Exec => "#0969da",
        RowKind::Exit => "#9a6700",
        RowKind::Reap => "#0550ae",
        RowKind::Adopt => "#8250df",
        RowKind::Signal => "#cf222e",
        RowKind::Other => "#24292f",
        RowKind::Gap => "#8c959f",
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A vertical piece of lane `state` from `y1` to `y2` at `x`.
fn segment(out: &mut String, state: Glyph, x: f64, y1: f64, y2: f64) {
    let style = match state {
        Glyph::Run => "stroke=\"#57606a\" stroke-width=\"2\"",
        Glyph::Zombie => "stroke=\"#cf222e\" stroke-width=\"2\" stroke-dasharray=\"3 3\"",
        Glyph::Stopped => "stroke=\"#bf8700\" stroke-width=\"5\"",
        _ => return,
    };
    let _ = writeln!(out, r#"<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" {style}/>"#);
}

/// The SVG of a layout.
pub fn render(layout: &Layout, style: Style) -> String {
    let time_w = if style.normalised { 0.0 } else { 76.0 };
    let x0 = time_w + 14.0;
    let lane_x = |i: usize| x0 + i as f64 * LANE;
    let text_x = lane_x(layout.lanes) + 6.0;
    let longest = layout.rows.iter().map(|r| r.text.chars().count()).max().unwrap_or(20);
    let tail: Vec<String> = std::iter::once(draw::LEGEND.to_string())
        .chain(layout.summary.iter().cloned())
        .chain(layout.notes.iter().map(|n| format!("note: {n}")))
        .collect();
    let tail_longest = tail.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let width = (text_x + longest as f64 * 7.9 + 20.0).max(tail_longest as f64 * 7.9 + 30.0).ceil();
    let height = TOP + ROW * (layout.rows.len() as f64 + tail.len() as f64 + 1.5);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT}>"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ =
        writeln!(out, r##"<text x="10" y="20" font-weight="bold" fill="#24292f">{}</text>"##, escape(&layout.title));
    let mut before: Vec<Glyph> = vec![Glyph::Run];
    for (r, row) in layout.rows.iter().enumerate() {
        let y = TOP + r as f64 * ROW;
        let mid = y + ROW / 2.0;
        let c = colour(row.kind);
        for i in 0..layout.lanes {
            let x = lane_x(i);
            let g = row.lanes.get(i).copied().unwrap_or(Glyph::Empty);
            let was = before.get(i).copied().unwrap_or(Glyph::Empty);
            let after = row.after.get(i).copied().unwrap_or(Glyph::Empty);
            match g {
                Glyph::Born => segment(&mut out, after, x, mid, y + ROW),
                Glyph::Reaped | Glyph::Gone => segment(&mut out, was, x, y, mid),
                Glyph::Exit => {
                    segment(&mut out, was, x, y, mid);
                    segment(&mut out, after, x, mid, y + ROW);
                }
                _ => {
                    segment(&mut out, was, x, y, mid);
                    segment(&mut out, after, x, mid, y + ROW);
                }
            }
        }
        if let Some((a, b)) = row.span {
            let dash = if row.kind == RowKind::Adopt { r#" stroke-dasharray="2 3""# } else { "" };
            let _ = writeln!(
                out,
                r#"<line x1="{}" y1="{mid}" x2="{}" y2="{mid}" stroke="{c}" stroke-width="2"{dash}/>"#,
                lane_x(a),
                lane_x(b)
            );
            if row.kind == RowKind::Reap || row.kind == RowKind::Adopt {
                // An arrowhead at the reaper's (adopter's) end.
                let (xa, dir) = (lane_x(a), if b > a { 1.0 } else { -1.0 });
                let _ = writeln!(out, r#"<path d="M{xa} {mid} l{} -4 l0 8 z" fill="{c}"/>"#, 7.0 * dir);
            }
        }
        for i in 0..layout.lanes {
            let x = lane_x(i);
            match row.lanes.get(i).copied().unwrap_or(Glyph::Empty) {
                Glyph::Exit => {
                    let _ = writeln!(
                        out,
                        r#"<path d="M{} {} l8 8 M{} {} l-8 8" stroke="{c}" stroke-width="2.5"/>"#,
                        x - 4.0,
                        mid - 4.0,
                        x + 4.0,
                        mid - 4.0
                    );
                }
                Glyph::Born | Glyph::ForkFrom | Glyph::Mark => {
                    let _ = writeln!(out, r#"<circle cx="{x}" cy="{mid}" r="4" fill="{c}"/>"#);
                }
                Glyph::Reaped | Glyph::Adopted => {
                    let _ = writeln!(
                        out,
                        r#"<circle cx="{x}" cy="{mid}" r="3.5" fill="white" stroke="{c}" stroke-width="2"/>"#
                    );
                }
                Glyph::Gone => {
                    let _ = writeln!(
                        out,
                        r#"<line x1="{}" y1="{mid}" x2="{}" y2="{mid}" stroke="{c}" stroke-width="3"/>"#,
                        x - 6.0,
                        x + 6.0
                    );
                }
                _ => {}
            }
        }
        if !style.normalised {
            let _ = writeln!(
                out,
                r##"<text x="{}" y="{}" text-anchor="end" fill="#57606a">{}</text>"##,
                time_w,
                mid + 4.5,
                escape(&row.time)
            );
        }
        let _ = writeln!(out, r#"<text x="{text_x}" y="{}" fill="{c}">{}</text>"#, mid + 4.5, escape(&row.text));
        before = row.after.clone();
    }
    let mut y = TOP + ROW * (layout.rows.len() as f64 + 1.0);
    for line in &tail {
        let _ = writeln!(out, r##"<text x="10" y="{y}" fill="#24292f">{}</text>"##, escape(line));
        y += ROW;
    }
    out.push_str("</svg>\n");
    out
}

/// Draw `trace` as SVG in one call.
pub fn draw(trace: &Trace, style: Style) -> String {
    render(&draw::layout(trace, style), style)
}
