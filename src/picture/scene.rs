//! What the SVG and HTML pictures draw: each node's box (caption lines, colour, place) and
//! each relationship's bend, from the layout.

use std::collections::BTreeMap;

use super::layout::{self, Size};
use super::text::{self, CAPTION_SIZE, LINE_HEIGHT};
use super::Picture;

/// Space around the drawing, in pixels.
pub(crate) const MARGIN: f64 = 24.0;
/// Padding inside a node's box.
const PAD_X: f64 = 10.0;
const PAD_Y: f64 = 7.0;
/// The distance between parallel relationships at their middle.
const BEND_STEP: f64 = 26.0;
/// The height of the title's line and of the legend's.
pub(crate) const TITLE_HEIGHT: f64 = 26.0;
pub(crate) const LEGEND_HEIGHT: f64 = 24.0;

/// A node's box: centre, size, caption and colour.
pub(crate) struct Boxed {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) w: f64,
    pub(crate) h: f64,
    pub(crate) caption: String,
    pub(crate) lines: Vec<String>,
    pub(crate) colour: &'static str,
}

/// A relationship: the indices of its ends and how far its middle bends off the straight line
/// (to its left, looking from start to end), or for a loop its rank among its node's loops;
/// and its label: its type, written once for relationships of one type between the same two
/// nodes, with their count (`SIGNS_WITH ×3`), and empty on the others.
pub(crate) struct Link {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) bend: f64,
    pub(crate) loop_rank: Option<usize>,
    pub(crate) label: String,
}

/// The drawing: boxes and links in the picture's order, the legend, and the canvas size.
pub(crate) struct Scene {
    pub(crate) boxes: Vec<Boxed>,
    pub(crate) links: Vec<Link>,
    pub(crate) legend: Vec<(String, &'static str)>,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

impl Scene {
    pub(crate) fn of(p: &Picture) -> Scene {
        let colours = p.colours();
        let mut boxes: Vec<Boxed> = p
            .nodes
            .iter()
            .map(|n| {
                let caption = p.caption(n);
                let lines = text::wrap(&caption);
                let w = lines
                    .iter()
                    .map(|l| text::width(l, CAPTION_SIZE))
                    .fold(24.0, f64::max)
                    + 2.0 * PAD_X;
                let h = lines.len() as f64 * LINE_HEIGHT + 2.0 * PAD_Y;
                Boxed {
                    x: 0.0,
                    y: 0.0,
                    w: w.ceil(),
                    h,
                    caption,
                    lines,
                    colour: Picture::colour_of(&colours, n),
                }
            })
            .collect();
        let ends = p.ends();
        let sizes: Vec<Size> = boxes.iter().map(|b| Size { w: b.w, h: b.h }).collect();
        // Room along each relationship for its type.
        let clear: Vec<f64> = p
            .relationships
            .iter()
            .map(|r| text::width(r.rel_type(), 10.0) + 30.0)
            .collect();
        let placed = layout::layout(&sizes, &ends, &clear);

        let legend: Vec<(String, &'static str)> =
            colours.iter().map(|(l, c)| ((*l).to_owned(), *c)).collect();
        let legend_width: f64 = legend
            .iter()
            .map(|(l, _)| text::width(l, 12.0) + 34.0)
            .sum::<f64>();
        let mut top = MARGIN;
        if p.title.is_some() {
            top += TITLE_HEIGHT;
        }
        if !legend.is_empty() {
            top += LEGEND_HEIGHT;
        }
        // Room above the topmost boxes for their loops.
        let loop_room = if ends.iter().any(|(a, b)| a == b) {
            40.0
        } else {
            0.0
        };
        top += loop_room;
        for (b, c) in boxes.iter_mut().zip(&placed.centres) {
            b.x = c.0 + MARGIN;
            b.y = c.1 + top;
        }
        let title_width = p.title.as_deref().map_or(0.0, |t| text::width(t, 16.0));
        let width = (placed.width + loop_room)
            .max(legend_width)
            .max(title_width)
            .max(120.0)
            + 2.0 * MARGIN;
        let height = top + placed.height + MARGIN;

        // Parallel relationships fan out around the straight line between their ends.
        let mut groups: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
        for (i, &(a, b)) in ends.iter().enumerate() {
            groups.entry((a.min(b), a.max(b))).or_default().push(i);
        }
        let mut links: Vec<Link> = ends
            .iter()
            .map(|&(start, end)| Link {
                start,
                end,
                bend: 0.0,
                loop_rank: None,
                label: String::new(),
            })
            .collect();
        for ((lo, hi), members) in groups {
            // One label per type, on the member nearest the middle of the fan.
            let g = members.len() as f64;
            let mut by_type: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for &i in &members {
                by_type.entry(p.relationships[i].rel_type()).or_default().push(i);
            }
            for (t, same) in by_type {
                let middle = members
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| same.contains(i))
                    .min_by(|(a, _), (b, _)| {
                        let (da, db) = (
                            (*a as f64 - (g - 1.0) / 2.0).abs(),
                            (*b as f64 - (g - 1.0) / 2.0).abs(),
                        );
                        da.total_cmp(&db)
                    })
                    .map(|(_, &i)| i);
                if let Some(i) = middle {
                    links[i].label = if same.len() > 1 {
                        format!("{t} ×{}", same.len())
                    } else {
                        t.to_owned()
                    };
                }
            }
            for (k, &i) in members.iter().enumerate() {
                if lo == hi {
                    links[i].loop_rank = Some(k);
                    continue;
                }
                let offset = (k as f64 - (g - 1.0) / 2.0) * BEND_STEP;
                // The offset is to the left of lo -> hi; a link the other way has it mirrored.
                links[i].bend = if links[i].start == lo { offset } else { -offset };
            }
        }
        Scene {
            boxes,
            links,
            legend,
            width: width.ceil(),
            height: height.ceil(),
        }
    }
}

/// The point where the ray from a box's centre in direction (dx, dy) leaves the box.
fn border(b: &Boxed, dx: f64, dy: f64, pad: f64) -> (f64, f64) {
    let len = (dx * dx + dy * dy).sqrt();
    if len == 0.0 {
        return (b.x, b.y - b.h / 2.0);
    }
    let (ux, uy) = (dx / len, dy / len);
    let tx = if ux == 0.0 {
        f64::INFINITY
    } else {
        (b.w / 2.0 + pad) / ux.abs()
    };
    let ty = if uy == 0.0 {
        f64::INFINITY
    } else {
        (b.h / 2.0 + pad) / uy.abs()
    };
    let t = tx.min(ty);
    (b.x + ux * t, b.y + uy * t)
}

/// A drawn link: its SVG path, where its label goes and the label's angle in degrees.
pub(crate) struct Drawn {
    pub(crate) path: String,
    pub(crate) label: (f64, f64),
    pub(crate) angle: f64,
}

/// One decimal, without a trailing `.0`.
pub(crate) fn num(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// The path of a link between two boxes (the same geometry as the HTML page's script).
pub(crate) fn draw(a: &Boxed, b: &Boxed, link: &Link) -> Drawn {
    if let Some(rank) = link.loop_rank {
        let s = 28.0 + 16.0 * rank as f64;
        let (x1, y1) = (a.x + a.w / 4.0, a.y - a.h / 2.0);
        let (x2, y2) = (a.x + a.w / 2.0, a.y - a.h / 4.0);
        return Drawn {
            path: format!(
                "M{} {} C{} {} {} {} {} {}",
                num(x1),
                num(y1),
                num(x1),
                num(y1 - s),
                num(x2 + s),
                num(y2),
                num(x2),
                num(y2)
            ),
            label: (x2 + s * 0.55, y1 - s * 0.55),
            angle: 0.0,
        };
    }
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    // The left normal of a -> b (y grows downward).
    let (nx, ny) = (dy / len, -dx / len);
    let (mx, my) = ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
    let (cx, cy) = (mx + nx * 2.0 * link.bend, my + ny * 2.0 * link.bend);
    let p1 = border(a, cx - a.x, cy - a.y, 1.0);
    let p2 = border(b, cx - b.x, cy - b.y, 3.0);
    let label = (
        0.25 * p1.0 + 0.5 * cx + 0.25 * p2.0,
        0.25 * p1.1 + 0.5 * cy + 0.25 * p2.1,
    );
    let mut angle = (p2.1 - p1.1).atan2(p2.0 - p1.0).to_degrees();
    if angle > 90.0 {
        angle -= 180.0;
    } else if angle < -90.0 {
        angle += 180.0;
    }
    let path = if link.bend == 0.0 {
        format!("M{} {} L{} {}", num(p1.0), num(p1.1), num(p2.0), num(p2.1))
    } else {
        format!(
            "M{} {} Q{} {} {} {}",
            num(p1.0),
            num(p1.1),
            num(cx),
            num(cy),
            num(p2.0),
            num(p2.1)
        )
    };
    Drawn { path, label, angle }
}

/// A darker shade of a `#rrggbb` colour, for outlines.
pub(crate) fn darker(colour: &str) -> String {
    let hex = colour.trim_start_matches('#');
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0, |v| (f64::from(v) * 0.72) as u8)
    };
    format!("#{:02x}{:02x}{:02x}", channel(0), channel(2), channel(4))
}
