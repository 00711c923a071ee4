//! Canonical form of residents' text, so that the same words typed on a phone
//! (full-width) or a PC (half-width) compare equal everywhere else in the crate.

/// Full-width ASCII becomes half-width, Chinese punctuation becomes its ASCII
/// counterpart, control and zero-width characters go, and runs of whitespace
/// collapse to one space. Case is kept: this is also what gets displayed.
pub fn normalize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    // Start as if a space was just written, which trims leading whitespace.
    let mut pending_space = false;
    let mut at_start = true;
    for raw in input.chars() {
        let c = fold_char(raw);
        match c {
            None => continue,
            Some(' ') => pending_space = !at_start,
            Some(c) => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                push_folded(&mut out, c);
                at_start = false;
            }
        }
    }
    out
}

/// Maps one character to its canonical form; `None` drops it, `Some(' ')`
/// marks whitespace.
pub(crate) fn fold_char(c: char) -> Option<char> {
    let folded = match c {
        '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{00AD}' => return None,
        c if c.is_whitespace() => ' ',
        c if c.is_control() => return None,
        '。' | '｡' => '.',
        '、' | '﹐' => ',',
        '【' | '〔' => '(',
        '】' | '〕' => ')',
        '《' | '〈' | '«' => '<',
        '》' | '〉' | '»' => '>',
        '“' | '”' | '「' | '」' | '『' | '』' | '„' | '″' => '"',
        '‘' | '’' | '′' => '\'',
        '—' | '–' | '‐' | '―' => '-',
        '〜' => '~',
        '·' | '・' => '.',
        '…' => '\u{2026}',
        // The full-width block mirrors printable ASCII at a fixed offset.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        c => c,
    };
    Some(folded)
}

fn push_folded(out: &mut String, c: char) {
    // The ellipsis expands rather than maps, so that "……" and "..." agree.
    if c == '\u{2026}' {
        out.push_str("...");
    } else {
        out.push(c);
    }
}

/// Han ideographs (basic block, extension A, compatibility) — the characters
/// that get bigram treatment in search and duplicate detection.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_becomes_half_width() {
        assert_eq!(normalize("ＡＢＣ１２３ａ"), "ABC123a");
        assert_eq!(normalize("A３区"), "A3区");
    }

    #[test]
    fn whitespace_collapses_and_trims() {
        assert_eq!(normalize("  井盖\u{3000}\u{3000}缺失\n\t了 "), "井盖 缺失 了");
        assert_eq!(normalize("\u{00A0}a\u{200B}b"), "ab");
    }

    #[test]
    fn punctuation_is_unified() {
        assert_eq!(normalize("你好，世界！（测试）"), "你好,世界!(测试)");
        assert_eq!(normalize("等等……"), "等等......");
        assert_eq!(normalize("“书院路”"), "\"书院路\"");
    }

    #[test]
    fn cjk_detection() {
        assert!(is_cjk('井'));
        assert!(!is_cjk('a'));
        assert!(!is_cjk('，'));
    }
}
