//! A small, valid GIF89a encoder for splash images.
//!
//! The image data uses the "uncompressed LZW" layout: a clear code before
//! every two literal pixels keeps the code width at 3 bits, so no dictionary
//! is needed and every standard decoder reads the result.

/// Encodes a `width` x `height` image of 4-colour palette indices
/// (`pixels[y * width + x]`, each 0..=3) with the given RGB palette.
pub(crate) fn encode(width: u16, height: u16, palette: [[u8; 3]; 4], pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + pixels.len());
    out.extend_from_slice(b"GIF89a");
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    // Global colour table present, 8-bit colour resolution, 2^(1+1) entries.
    out.push(0b1111_0001);
    out.push(0); // background colour index
    out.push(0); // pixel aspect ratio
    for rgb in palette {
        out.extend_from_slice(&rgb);
    }
    // Image descriptor: whole screen, no local table, not interlaced.
    out.push(0x2C);
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.push(0);

    const MIN_CODE_SIZE: u8 = 2;
    const CLEAR: u32 = 4;
    const END: u32 = 5;
    out.push(MIN_CODE_SIZE);
    let mut bits = BitWriter::default();
    let count = usize::from(width) * usize::from(height);
    for (i, &p) in pixels.iter().take(count).enumerate() {
        if i % 2 == 0 {
            bits.put(CLEAR, 3);
        }
        bits.put(u32::from(p & 3), 3);
    }
    bits.put(END, 3);
    let data = bits.finish();
    for block in data.chunks(255) {
        out.push(block.len() as u8);
        out.extend_from_slice(block);
    }
    out.push(0); // block terminator
    out.push(0x3B); // trailer
    out
}

#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    acc: u32,
    n: u32,
}

impl BitWriter {
    /// Appends `width` bits of `code`, least significant bit first.
    fn put(&mut self, code: u32, width: u32) {
        self.acc |= code << self.n;
        self.n += width;
        while self.n >= 8 {
            self.bytes.push((self.acc & 0xFF) as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.bytes.push((self.acc & 0xFF) as u8);
        }
        self.bytes
    }
}

/// The splash image of a workspace: a framed banner with diagonal stripes,
/// coloured by `accent`.
pub(crate) fn splash_image(accent: [u8; 3]) -> Vec<u8> {
    const W: u16 = 48;
    const H: u16 = 24;
    let mut pixels = Vec::with_capacity(usize::from(W) * usize::from(H));
    for y in 0..H {
        for x in 0..W {
            let border = x == 0 || y == 0 || x == W - 1 || y == H - 1;
            let p = if border {
                1
            } else if (x + y) % 8 < 3 {
                2
            } else if (x / 4 + y / 4) % 5 == 0 {
                3
            } else {
                0
            };
            pixels.push(p);
        }
    }
    encode(
        W,
        H,
        [[255, 255, 255], [0, 51, 102], accent, [200, 200, 200]],
        &pixels,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A straightforward GIF LZW decoder, to prove the encoder's output is
    /// readable by the standard algorithm and gives back the same pixels.
    fn decode(gif: &[u8]) -> (u16, u16, Vec<u8>) {
        assert_eq!(&gif[..6], b"GIF89a");
        let w = u16::from_le_bytes([gif[6], gif[7]]);
        let h = u16::from_le_bytes([gif[8], gif[9]]);
        let table = 3 * (1usize << ((gif[10] & 7) + 1));
        let mut i = 13 + table;
        assert_eq!(gif[i], 0x2C);
        i += 10;
        let min = gif[i];
        i += 1;
        let mut data = Vec::new();
        loop {
            let n = gif[i] as usize;
            i += 1;
            if n == 0 {
                break;
            }
            data.extend_from_slice(&gif[i..i + n]);
            i += n;
        }
        assert_eq!(gif[i], 0x3B);
        let clear = 1u32 << min;
        let end = clear + 1;
        let mut width = u32::from(min) + 1;
        let mut dict: Vec<Vec<u8>> = (0..clear).map(|c| vec![c as u8]).collect();
        dict.push(vec![]);
        dict.push(vec![]);
        let mut prev: Option<Vec<u8>> = None;
        let (mut acc, mut n, mut pos) = (0u32, 0u32, 0usize);
        let mut out = Vec::new();
        loop {
            while n < width {
                acc |= u32::from(data[pos]) << n;
                pos += 1;
                n += 8;
            }
            let code = acc & ((1 << width) - 1);
            acc >>= width;
            n -= width;
            if code == clear {
                dict.truncate(clear as usize + 2);
                width = u32::from(min) + 1;
                prev = None;
                continue;
            }
            if code == end {
                break;
            }
            let entry = if (code as usize) < dict.len() {
                dict[code as usize].clone()
            } else {
                let p = prev.clone().expect("code after clear");
                let mut e = p.clone();
                e.push(p[0]);
                e
            };
            if let Some(p) = prev {
                let mut e = p.clone();
                e.push(entry[0]);
                dict.push(e);
                if dict.len() == (1 << width) && width < 12 {
                    width += 1;
                }
            }
            out.extend_from_slice(&entry);
            prev = Some(entry);
        }
        (w, h, out)
    }

    #[test]
    fn decodes_back_to_the_pixels() {
        let pixels: Vec<u8> = (0..35).map(|i| (i * 7 % 4) as u8).collect();
        let gif = encode(7, 5, [[0; 3], [255; 3], [255, 0, 0], [0, 0, 255]], &pixels);
        let (w, h, back) = decode(&gif);
        assert_eq!((w, h), (7, 5));
        assert_eq!(back, pixels);
    }

    #[test]
    fn splash_image_is_a_gif() {
        let gif = splash_image([200, 30, 30]);
        let (w, h, px) = decode(&gif);
        assert_eq!((w, h), (48, 24));
        assert_eq!(px.len(), 48 * 24);
    }
}
