//! Keeping text from the data from reordering the text around it.
//!
//! Explicit directional formatting characters – the embeddings and overrides U+202A to U+202E,
//! the isolates U+2066 to U+2069 – act up to the end of the paragraph (UAX #9). A department
//! name ending in RIGHT-TO-LEFT OVERRIDE, shown before "Updated: 25 November 2026", would show
//! the date backwards; a unit could make a value read as another. [`isolate`] encloses such
//! text in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE, which ends every embedding and
//! override opened inside it, so the text can reorder itself but nothing after it. Text without
//! these characters – nearly all – is returned as it is.
//!
//! Only what is shown passes through here (pages, feeds, charts, widgets); the published data
//! keeps every value as the department wrote it.

use std::borrow::Cow;

/// FIRST STRONG ISOLATE: the enclosed text takes the direction of its first strong letter.
const FIRST_STRONG_ISOLATE: char = '\u{2068}';
/// POP DIRECTIONAL ISOLATE: closes the innermost open isolate.
const POP_ISOLATE: char = '\u{2069}';

/// Whether `c` is an explicit directional embedding, override or isolate character.
pub fn is_directional_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` enclosed in an isolate when it holds directional controls, with its own isolates
/// balanced: a pop without an opener inside `text` is dropped (it would close an isolate
/// around `text`), and isolates left open are closed before the enclosing one.
pub fn isolate(text: &str) -> Cow<'_, str> {
    if !text.contains(is_directional_control) {
        return Cow::Borrowed(text);
    }
    // Isolates open, the enclosing one included.
    let mut open = 1_usize;
    let mut isolated = String::from(FIRST_STRONG_ISOLATE);
    for c in text.chars() {
        match c {
            '\u{2066}'..='\u{2068}' => open += 1,
            POP_ISOLATE if open == 1 => continue,
            POP_ISOLATE => open -= 1,
            _ => {}
        }
        isolated.push(c);
    }
    isolated.extend(std::iter::repeat_n(POP_ISOLATE, open));
    Cow::Owned(isolated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for text in ["", "Parks Department", "شرطة", "Ünïcödé – ✓"] {
            assert!(matches!(isolate(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn overrides_and_embeddings_are_enclosed() {
        assert_eq!(isolate("\u{202e}evil"), "\u{2068}\u{202e}evil\u{2069}");
        assert_eq!(
            isolate("a\u{202b}b\u{202c}c\u{202d}"),
            "\u{2068}a\u{202b}b\u{202c}c\u{202d}\u{2069}"
        );
    }

    #[test]
    fn isolates_inside_are_balanced() {
        // A stray pop would close the enclosing isolate and let the override after it out.
        assert_eq!(isolate("\u{2069}\u{202e}x"), "\u{2068}\u{202e}x\u{2069}");
        // Open isolates are closed before the enclosing one.
        assert_eq!(
            isolate("\u{2067}x\u{2066}y"),
            "\u{2068}\u{2067}x\u{2066}y\u{2069}\u{2069}\u{2069}"
        );
        // Balanced isolates are kept as they are.
        assert_eq!(
            isolate("\u{2067}x\u{2069}"),
            "\u{2068}\u{2067}x\u{2069}\u{2069}"
        );
    }

    #[test]
    fn isolating_twice_stays_balanced() {
        let once = isolate("\u{2069}\u{2067}\u{202e}x").into_owned();
        let twice = isolate(&once).into_owned();
        let depth = |text: &str| {
            text.chars().try_fold(0_i32, |depth, c| {
                let depth = match c {
                    '\u{2066}'..='\u{2068}' => depth + 1,
                    '\u{2069}' => depth - 1,
                    _ => depth,
                };
                (depth >= 0).then_some(depth)
            })
        };
        assert_eq!(depth(&once), Some(0));
        assert_eq!(depth(&twice), Some(0));
    }
}
