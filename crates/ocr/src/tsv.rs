//! Tesseract's TSV output → word boxes (free of I/O).

/// One word Tesseract read: its box in pixels of the image it was given, its confidence (0–100)
/// and the line it belongs to (block, paragraph, line).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub x0: f64,
    pub top: f64,
    pub x1: f64,
    pub bottom: f64,
    pub conf: f32,
    pub text: String,
    pub line: (u32, u32, u32),
}

/// The words of a TSV answer (level 5 rows with text); malformed rows are skipped.
pub fn words(tsv: &str) -> Vec<Word> {
    let mut out = Vec::new();
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let num = |i: usize| f[i].trim().parse::<f64>().ok();
        let (Some(left), Some(top), Some(width), Some(height), Some(conf)) = (num(6), num(7), num(8), num(9), num(10)) else {
            continue;
        };
        let text = f[11..].join("\t").trim().to_string();
        if text.is_empty() || conf < 0.0 || width <= 0.0 || height <= 0.0 {
            continue;
        }
        let int = |i: usize| f[i].trim().parse::<u32>().unwrap_or(0);
        out.push(Word { x0: left, top, x1: left + width, bottom: top + height, conf: conf as f32, text, line: (int(2), int(3), int(4)) });
    }
    out
}

/// The words without the guesses Tesseract lays over Chinese text: a word read with almost no
/// confidence (below 20) whose box lies mostly (over half its width) on a Chinese word of the same
/// line is a second reading of the same ink (`补正、行` read again as a `1`), and would put a
/// digit into a row's label.
pub fn without_shadows(words: Vec<Word>) -> Vec<Word> {
    let cjk = |w: &Word| w.text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let shadow = |w: &Word| {
        w.conf < 20.0
            && !cjk(w)
            && words.iter().any(|o| {
                let overlap = o.x1.min(w.x1) - o.x0.max(w.x0);
                cjk(o) && o.conf >= 60.0 && o.top < w.bottom && o.bottom > w.top && overlap > 0.5 * (w.x1 - w.x0)
            })
    };
    let keep: Vec<bool> = words.iter().map(|w| !shadow(w)).collect();
    words.into_iter().zip(keep).filter(|(_, k)| *k).map(|(w, _)| w).collect()
}


/// The rotation Tesseract's orientation detection (`--psm 0`) asks for, in degrees clockwise, when
/// it is confident enough; 0 otherwise.
pub fn osd_rotation(answer: &str, min_confidence: f64) -> u32 {
    let field = |name: &str| {
        answer.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
    };
    let rotate = field("Rotate:").and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    let conf = field("Orientation confidence:").and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    if conf >= min_confidence && matches!(rotate, 90 | 180 | 270) {
        rotate
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_come_with_boxes_and_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t2481\t3508\t-1\t\n\
                   4\t1\t4\t1\t1\t0\t262\t540\t1435\t54\t-1\t\n\
                   5\t1\t4\t1\t1\t1\t262\t540\t85\t54\t96.030304\t本年\n\
                   5\t1\t4\t1\t1\t2\t346\t536\t51\t79\t52.5\t14\n\
                   5\t1\t4\t1\t1\t3\t400\t536\t51\t79\t95\t \n\
                   5\t1\t4\t1\tx\n";
        let w = words(tsv);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].text, "本年");
        assert_eq!((w[0].x0, w[0].top, w[0].x1, w[0].bottom), (262.0, 540.0, 347.0, 594.0));
        assert!((w[1].conf - 52.5).abs() < 1e-4);
        assert_eq!(w[1].line, (4, 1, 1));
    }

    #[test]
    fn orientation_is_taken_only_when_confident() {
        let a = "Page number: 0\nOrientation in degrees: 270\nRotate: 90\nOrientation confidence: 13.94\nScript: Han\n";
        assert_eq!(osd_rotation(a, 2.0), 90);
        assert_eq!(osd_rotation(&a.replace("13.94", "0.5"), 2.0), 0);
        assert_eq!(osd_rotation("Too few characters", 2.0), 0);
    }

    #[test]
    fn a_guess_laid_over_chinese_text_is_dropped() {
        let w = |text: &str, x0: f64, x1: f64, conf: f32| Word { x0, x1, top: 917.0, bottom: 971.0, conf, text: text.into(), line: (1, 1, 1) };
        let words = vec![w("补正", 615.0, 747.0, 92.0), w("行", 810.0, 962.0, 88.0), w("1", 790.0, 838.0, 0.0), w("0", 1200.0, 1230.0, 5.0)];
        let kept = without_shadows(words);
        assert_eq!(kept.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["补正", "行", "0"]);
    }
}
