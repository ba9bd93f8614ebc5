//! The pages of a multi-page TIFF. A document scanner or a fax server writes the whole report as
//! one TIFF, a page per image (IFD); `image` decodes only the first, which would read one page of
//! the report and silently drop the tables on the others.
//!
//! Each page is decoded on its own from the file's bytes (a fresh decoder seeks to it), so reading
//! a long TIFF holds one page per worker in memory, never all of them.

use crate::{OcrError, Options};
use image::GrayImage;
use std::io::Cursor;
use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::ColorType;

/// Whether `bytes` start like a TIFF (classic or BigTIFF, either byte order).
pub fn is_tiff(bytes: &[u8]) -> bool {
    [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"].iter().any(|m| bytes.starts_with(&m[..]))
}

fn failed(e: tiff::TiffError) -> OcrError {
    match e {
        tiff::TiffError::LimitsExceeded => OcrError::Limit("TIFF 图片超过解码大小上限".into()),
        other => OcrError::Image(format!("TIFF：{other}")),
    }
}

fn decoder<'a>(bytes: &'a [u8], opts: &Options) -> Result<Decoder<Cursor<&'a [u8]>>, OcrError> {
    let mut limits = Limits::default();
    // A page of at most `max_pixels`, four bytes a pixel (RGBA or CMYK), whole.
    limits.decoding_buffer_size = usize::try_from(opts.max_pixels.saturating_mul(4)).unwrap_or(usize::MAX);
    Ok(Decoder::new(Cursor::new(bytes)).map_err(failed)?.with_limits(limits))
}

/// How many pages the TIFF holds, counting at most `opts.max_pages` (the rest are not read, as
/// with a PDF's pages past the limit).
pub fn count(bytes: &[u8], opts: &Options) -> Result<usize, OcrError> {
    let mut d = decoder(bytes, opts)?;
    let mut n = 1;
    while n < opts.max_pages.max(1) && d.more_images() {
        d.next_image().map_err(failed)?;
        n += 1;
    }
    Ok(n)
}

/// Page `index` (from 0) in gray levels, coloured ink dropped as [`crate::decode`] does.
pub fn page(bytes: &[u8], index: usize, opts: &Options) -> Result<GrayImage, OcrError> {
    let mut d = decoder(bytes, opts)?;
    d.seek_to_image(index).map_err(failed)?;
    let (w, h) = d.dimensions().map_err(failed)?;
    if w == 0 || h == 0 {
        return Err(OcrError::Image(format!("TIFF 第 {} 页没有像素", index + 1)));
    }
    if u64::from(w) * u64::from(h) > opts.max_pixels {
        return Err(OcrError::Limit(format!("TIFF 第 {} 页超过 {} 万像素上限", index + 1, opts.max_pixels / 10_000)));
    }
    let color = d.colortype().map_err(failed)?;
    let data = d.read_image().map_err(failed)?;
    gray(w, h, color, data).ok_or_else(|| OcrError::Image(format!("TIFF 第 {} 页的颜色类型（{color:?}）无法识别", index + 1)))
}

/// Pixels as gray levels: for colour, each pixel's lightest channel (a red seal turns white,
/// print stays dark).
fn gray(w: u32, h: u32, color: ColorType, data: DecodingResult) -> Option<GrayImage> {
    let n = w as usize * h as usize;
    let pixels: Vec<u8> = match (color, data) {
        (ColorType::Gray(8), DecodingResult::U8(v)) => v.get(..n)?.to_vec(),
        (ColorType::Gray(16), DecodingResult::U16(v)) => v.get(..n)?.iter().map(|p| (p >> 8) as u8).collect(),
        // Black-and-white: bits packed in bytes, every row starting on a byte.
        (ColorType::Gray(1), DecodingResult::U8(v)) => {
            let stride = (w as usize).div_ceil(8);
            let rows = v.get(..stride * h as usize)?;
            rows.chunks(stride).flat_map(|row| (0..w as usize).map(move |x| if row[x / 8] & (0x80 >> (x % 8)) != 0 { 255 } else { 0 })).collect()
        }
        (ColorType::GrayA(8), DecodingResult::U8(v)) => v.get(..2 * n)?.chunks(2).map(|p| on_white(p[0], p[1])).collect(),
        (ColorType::RGB(8), DecodingResult::U8(v)) => v.get(..3 * n)?.chunks(3).map(|p| p[0].max(p[1]).max(p[2])).collect(),
        (ColorType::RGBA(8), DecodingResult::U8(v)) => v.get(..4 * n)?.chunks(4).map(|p| on_white(p[0].max(p[1]).max(p[2]), p[3])).collect(),
        (ColorType::CMYK(8), DecodingResult::U8(v)) => v
            .get(..4 * n)?
            .chunks(4)
            .map(|p| {
                // The lightest of the three inks, darkened by the black.
                let lightest = 255 - p[0].min(p[1]).min(p[2]) as u32;
                (lightest * (255 - p[3] as u32) / 255) as u8
            })
            .collect(),
        _ => return None,
    };
    GrayImage::from_raw(w, h, pixels)
}

/// A gray level with its transparency laid on white paper.
fn on_white(level: u8, alpha: u8) -> u8 {
    ((level as u32 * alpha as u32 + 255 * (255 - alpha as u32)) / 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Luma, Rgb, RgbImage};
    use tiff::encoder::{colortype, TiffEncoder};

    /// A TIFF of `pages` gray pages, page k filled with gray level 10·k with a black square.
    fn multi(pages: usize) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut enc = TiffEncoder::new(&mut out).unwrap();
        for k in 0..pages {
            let mut img = GrayImage::from_pixel(40, 30, Luma([10 * k as u8 + 100]));
            for y in 5..10 {
                for x in 5..10 {
                    img.put_pixel(x, y, Luma([0]));
                }
            }
            enc.write_image::<colortype::Gray8>(40, 30, img.as_raw()).unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn every_page_of_a_multi_page_tiff_is_read_in_order() {
        let bytes = multi(3);
        assert!(is_tiff(&bytes));
        let opts = Options::default();
        assert_eq!(count(&bytes, &opts).unwrap(), 3);
        for k in 0..3 {
            let p = page(&bytes, k, &opts).unwrap();
            assert_eq!((p.width(), p.height()), (40, 30));
            assert_eq!(p.get_pixel(20, 20).0[0], 10 * k as u8 + 100, "page {k}");
            assert_eq!(p.get_pixel(6, 6).0[0], 0);
        }
        assert!(page(&bytes, 3, &opts).is_err(), "no fourth page");
    }

    #[test]
    fn the_page_limit_and_the_pixel_limit_hold() {
        let bytes = multi(5);
        let opts = Options { max_pages: 2, ..Options::default() };
        assert_eq!(count(&bytes, &opts).unwrap(), 2);
        let tiny = Options { max_pixels: 100, ..Options::default() };
        assert!(matches!(page(&bytes, 0, &tiny), Err(OcrError::Limit(_))));
    }

    #[test]
    fn colour_pages_keep_print_and_drop_a_red_seal() {
        let mut img = RgbImage::from_pixel(20, 10, Rgb([250, 250, 250]));
        img.put_pixel(1, 1, Rgb([0, 0, 0]));
        img.put_pixel(2, 2, Rgb([220, 30, 40]));
        let mut out = Vec::new();
        image::codecs::tiff::TiffEncoder::new(Cursor::new(&mut out)).write_image(img.as_raw(), 20, 10, image::ExtendedColorType::Rgb8).unwrap();
        let p = page(&out, 0, &Options::default()).unwrap();
        assert_eq!((p.get_pixel(1, 1).0[0], p.get_pixel(2, 2).0[0], p.get_pixel(5, 5).0[0]), (0, 220, 250));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut bytes = multi(2);
        bytes.truncate(60);
        let opts = Options::default();
        assert!(count(&bytes, &opts).is_err() || page(&bytes, 0, &opts).is_err());
        assert!(!is_tiff(b"\x89PNG\r\n"));
        assert!(page(b"II*\0\xff\xff\xff\xff", 0, &opts).is_err());
    }

    #[test]
    fn black_and_white_bits_are_unpacked() {
        let v = DecodingResult::U8(vec![0b1010_0000, 0b0100_0000]);
        let p = gray(3, 2, ColorType::Gray(1), v).unwrap();
        assert_eq!(p.as_raw(), &[255, 0, 255, 0, 255, 0]);
        assert!(gray(3, 2, ColorType::Gray(1), DecodingResult::U8(vec![0])).is_none(), "too few bytes");
    }
}
