//! Text in pictures: widths estimated without a font (the reader's font is not known when the
//! picture is written), captions wrapped to at most two lines, and escaping for XML.

/// The font size of captions, in pixels.
pub(crate) const CAPTION_SIZE: f64 = 13.0;
/// The height of a caption's line, in pixels.
pub(crate) const LINE_HEIGHT: f64 = 16.0;
/// The widest a caption's line may be, in pixels.
const MAX_LINE: f64 = 150.0;
/// The most lines a caption has.
const MAX_LINES: usize = 2;

/// The font families of every text, CJK fonts first after the Latin ones that lack CJK.
pub(crate) const FONT_FAMILY: &str =
    "'Noto Sans CJK SC', 'Noto Sans SC', 'WenQuanYi Zen Hei', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

/// True for a character drawn a full em wide: CJK ideographs, kana, hangul, full-width forms.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// The width of a character in ems, roughly, in a sans-serif font.
fn char_em(c: char) -> f64 {
    if is_wide(c) {
        1.0
    } else if matches!(
        c,
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' | 'I' | 'f' | 't' | 'r'
    ) {
        0.3
    } else if c.is_ascii_uppercase() || matches!(c, 'm' | 'w' | 'M' | 'W' | '&' | '@' | '%') {
        0.7
    } else {
        0.56
    }
}

/// The width of `text` in pixels at `size`.
pub(crate) fn width(text: &str, size: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * size
}

/// The caption broken into at most two lines of at most `MAX_LINE` pixels: at spaces where
/// there are any, else between characters (Chinese has no spaces); a caption that does not
/// fit ends in an ellipsis. Control characters become spaces.
pub(crate) fn wrap(caption: &str) -> Vec<String> {
    let clean: String = caption
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    // Words: runs of non-space characters, each wide character a word of its own.
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in clean.chars() {
        if c == ' ' {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            words.push(" ".into());
        } else if is_wide(c) {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            words.push(c.to_string());
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut truncated = false;
    for w in words {
        if w == " " && line.is_empty() {
            continue;
        }
        if width(&line, CAPTION_SIZE) + width(&w, CAPTION_SIZE) <= MAX_LINE {
            line.push_str(&w);
            continue;
        }
        if !line.is_empty() {
            lines.push(line.trim_end().to_owned());
            line = String::new();
            if lines.len() == MAX_LINES {
                truncated = true;
                break;
            }
        }
        if w == " " {
            continue;
        }
        // A word longer than a line is cut between characters.
        for c in w.chars() {
            if width(&line, CAPTION_SIZE) + width(&c.to_string(), CAPTION_SIZE) > MAX_LINE && !line.is_empty()
            {
                lines.push(std::mem::take(&mut line));
                if lines.len() == MAX_LINES {
                    truncated = true;
                    break;
                }
            }
            line.push(c);
        }
        if truncated {
            break;
        }
    }
    if !truncated && !line.trim().is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    if truncated {
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && width(last, CAPTION_SIZE) + width("…", CAPTION_SIZE) > MAX_LINE {
                last.pop();
            }
            let kept = last.trim_end().len();
            last.truncate(kept);
            last.push('…');
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// `text` escaped for XML character data and attribute values (either quote).
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no way to write the other control characters.
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_between_ideographs() {
        let lines = wrap("Hainan Boao Lecheng Pilot Zone Administration");
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| width(l, CAPTION_SIZE) <= MAX_LINE));
        assert!(lines[0].starts_with("Hainan"));
        let zh = wrap("海南博鳌乐城国际医疗旅游先行区管理局");
        assert_eq!(zh.len(), 2);
        assert!(zh.iter().all(|l| width(l, CAPTION_SIZE) <= MAX_LINE));
        let long = wrap(&"很长的名字".repeat(20));
        assert_eq!(long.len(), 2);
        assert!(long[1].ends_with('…'));
        assert_eq!(wrap(""), vec![String::new()]);
        assert_eq!(wrap("a\nb"), vec!["a b".to_owned()]);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            xml("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(xml("\u{1}"), "\u{FFFD}");
    }
}
