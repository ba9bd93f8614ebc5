//! How alike two texts are: the Dice coefficient of their character bigrams, ignoring
//! punctuation, digits and white space (years and counts change even in copied text). Linear
//! in the length of the texts, so whole sections can be compared.

use std::collections::HashMap;

fn bigrams(text: &str) -> HashMap<(char, char), u32> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphabetic() && !c.is_ascii_digit()).collect();
    let mut m = HashMap::new();
    for w in chars.windows(2) {
        *m.entry((w[0], w[1])).or_insert(0) += 1;
    }
    m
}

/// 0.0 (nothing in common) to 1.0 (the same words in the same order, up to numbers).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (x, y) = (bigrams(a), bigrams(b));
    let total: u32 = x.values().sum::<u32>() + y.values().sum::<u32>();
    if total == 0 {
        return 0.0;
    }
    let common: u32 = x.iter().map(|(k, n)| (*n).min(*y.get(k).unwrap_or(&0))).sum();
    2.0 * common as f64 / total as f64
}

/// Sections this long or longer are compared (short ones like “无” are alike by nature).
pub const MIN_CHARS: usize = 80;
/// At or above this, two sections are 内容雷同.
pub const THRESHOLD: f64 = 0.9;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_text_with_new_numbers_is_alike() {
        let a = "2022年，县政府办公室共收到政府信息公开申请13件，均按时答复。进一步加强政策解读。";
        let b = "2023年，县政府办公室共收到政府信息公开申请9件，均按时答复。进一步加强政策解读。";
        assert!(similarity(a, b) > 0.95);
        assert!(similarity(a, "主要问题：政府网站的部分专题无法满足考核需求，需对专题进行改版升级。") < 0.5);
        assert_eq!(similarity("", ""), 0.0);
    }
}
