//! Ink of a seal across a number. Colour is dropped before Tesseract reads a page (each pixel
//! takes its lightest channel, so a red seal turns to paper), but where the seal's ring or star
//! crosses a digit, what is left of the digit is not what was printed: a `1` under the ring read
//! as `4` with confidence 90+. A number with seal ink around it keeps at most confidence
//! [`UNDER_SEAL`], so only the table's arithmetic can keep it (表二, with no arithmetic, never
//! keeps it on confidence).

use crate::{OcrPage, Word};
use image::{DynamicImage, GrayImage, Luma};

/// Highest confidence of a number read under seal ink: below the trust rule's "very high" (90).
pub const UNDER_SEAL: f32 = 89.0;

/// Mask value of a pixel of seal ink (0) and of anything else (255): the paper colour, so that
/// turning the mask fills its new corners with "no seal".
const INK: u8 = 0;

/// A pixel is seal ink when its channels differ this much (a saturated colour) and it is not
/// near white (warm paper and JPEG's colour noise differ by less).
const SPREAD: u8 = 60;
const NOT_PAPER: u8 = 200;

/// The seal ink of a colour page image, or `None` when it has none (a grey or black-and-white
/// page, or a colour page without saturated ink).
pub fn mask(img: &DynamicImage) -> Option<GrayImage> {
    if !img.color().has_color() {
        return None;
    }
    let rgb = img.to_rgb8();
    let mut out = GrayImage::from_pixel(rgb.width(), rgb.height(), Luma([255]));
    let mut inked = 0usize;
    for (o, p) in out.pixels_mut().zip(rgb.pixels()) {
        let [r, g, b] = p.0;
        let (hi, lo) = (r.max(g).max(b), r.min(g).min(b));
        if hi - lo > SPREAD && lo < NOT_PAPER {
            o.0[0] = INK;
            inked += 1;
        }
    }
    // A few coloured pixels are a logo's edge or noise, not a seal.
    (inked >= 200).then_some(out)
}

/// The mask turned, corrected for perspective and straightened as the page was before it was
/// read (the same steps as [`crate::straighten`], from the page's record of them), at the page's
/// size. The mask's "no seal" is white, which is what each step fills new corners with.
fn follow(mask: &GrayImage, page: &OcrPage) -> GrayImage {
    let turned = crate::turn(mask, page.rotated);
    let turned = match &page.warp {
        Some(h) => crate::perspective::warp(&turned, h),
        None => turned,
    };
    let straight = if page.deskewed != 0.0 { crate::pixels::rotate(&turned, page.deskewed) } else { turned };
    if straight.dimensions() == (page.width, page.height) {
        straight
    } else {
        image::imageops::resize(&straight, page.width.max(1), page.height.max(1), image::imageops::FilterType::Nearest)
    }
}

fn has_digit(w: &Word) -> bool {
    w.text.bytes().any(|b| b.is_ascii_digit())
}

/// Seal pixels in the box of `w` widened by half its height on every side.
fn ink_around(mask: &GrayImage, w: &Word) -> usize {
    let pad = ((w.bottom - w.top) * 0.5).max(2.0);
    let x0 = (w.x0 - pad).max(0.0) as u32;
    let y0 = (w.top - pad).max(0.0) as u32;
    let x1 = ((w.x1 + pad).max(0.0) as u32).min(mask.width());
    let y1 = ((w.bottom + pad).max(0.0) as u32).min(mask.height());
    (y0..y1).flat_map(|y| (x0..x1).map(move |x| (x, y))).filter(|&(x, y)| mask.get_pixel(x, y).0[0] < 128).count()
}

/// Caps the confidence of every number of `page` with seal ink around it at [`UNDER_SEAL`].
/// Returns how many were capped.
pub fn doubt_under(page: &mut OcrPage, mask: &GrayImage) -> usize {
    let mask = follow(mask, page);
    let mut n = 0;
    for w in page.words.iter_mut().filter(|w| has_digit(w) && w.conf > UNDER_SEAL) {
        let area = ((w.x1 - w.x0).max(1.0) * (w.bottom - w.top).max(1.0)) as usize;
        if ink_around(&mask, w) >= (area / 200).max(4) {
            w.conf = UNDER_SEAL;
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn word(text: &str, x0: f64, top: f64, conf: f32) -> Word {
        Word { x0, top, x1: x0 + 20.0, bottom: top + 30.0, conf, text: text.into(), line: (0, 0, 0) }
    }

    fn page(words: Vec<Word>) -> OcrPage {
        OcrPage { width: 400, height: 300, dpi: 300.0, rotated: 0, deskewed: 0.0, warp: None, words, lines: Vec::new() }
    }

    /// White paper, black print, a red ring segment from (100, 100) to (160, 104).
    fn sealed() -> DynamicImage {
        let mut img = RgbImage::from_pixel(400, 300, Rgb([250, 245, 230]));
        for x in 100..160 {
            for y in 100..105 {
                img.put_pixel(x, y, Rgb([220, 40, 50]));
            }
        }
        for x in 300..320 {
            for y in 200..230 {
                img.put_pixel(x, y, Rgb([20, 20, 20]));
            }
        }
        DynamicImage::ImageRgb8(img)
    }

    #[test]
    fn a_number_under_the_seal_loses_its_high_confidence_and_the_others_keep_theirs() {
        let mask = mask(&sealed()).expect("a seal");
        let mut p = page(vec![word("4", 120.0, 80.0, 96.0), word("0", 300.0, 200.0, 95.0), word("规章", 110.0, 95.0, 96.0), word("7", 120.0, 20.0, 93.0)]);
        assert_eq!(doubt_under(&mut p, &mask), 1);
        let conf: Vec<f32> = p.words.iter().map(|w| w.conf).collect();
        assert_eq!(conf, vec![UNDER_SEAL, 95.0, 96.0, 93.0], "only the digit by the ring; words and far digits untouched");
    }

    #[test]
    fn grey_pages_paper_and_print_have_no_seal() {
        let gray = DynamicImage::ImageLuma8(GrayImage::from_pixel(50, 50, Luma([200])));
        assert!(mask(&gray).is_none());
        let warm = DynamicImage::ImageRgb8(RgbImage::from_pixel(100, 100, Rgb([250, 240, 215])));
        assert!(mask(&warm).is_none(), "yellowish paper is not a seal");
    }

    #[test]
    fn the_mask_follows_a_quarter_turn() {
        // The page was turned 90° clockwise before reading: the ring at the top left of the
        // original lies at the top right of the page read.
        let mask = mask(&sealed()).expect("a seal");
        let mut p = OcrPage { width: 300, height: 400, rotated: 90, ..page(Vec::new()) };
        p.words = vec![word("1", 300.0 - 102.0 - 10.0, 110.0, 96.0), word("1", 20.0, 110.0, 96.0)];
        doubt_under(&mut p, &mask);
        assert_eq!((p.words[0].conf, p.words[1].conf), (UNDER_SEAL, 96.0));
    }
}
