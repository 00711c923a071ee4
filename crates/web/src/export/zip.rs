//! The ZIP container an XLSX file is, in its simplest form: entries stored without
//! compression. Spreadsheet programs open stored entries like any other, and writing
//! them needs no compression library in the server.

/// CRC-32 (IEEE), as ZIP requires for every entry.
fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u32; 256];
        for (i, slot) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *slot = c;
        }
        table
    });
    !data.iter().fold(!0u32, |c, &b| table[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8))
}

/// 1980-01-01 00:00 in MS-DOS form: the entries' times carry no meaning here.
const DOS_DATE: u16 = (1 << 5) | 1;
/// General purpose flag: names are UTF-8.
const UTF8_NAMES: u16 = 1 << 11;

/// Builds an archive entry by entry.
#[derive(Default)]
pub struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

impl ZipWriter {
    pub fn add(&mut self, name: &str, data: &[u8]) {
        let crc = crc32(data);
        let offset = self.out.len() as u32;
        let size = data.len() as u32;
        let name_len = name.len() as u16;
        // Local file header.
        self.out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, UTF8_NAMES, 0, 0, DOS_DATE] {
            self.out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            self.out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0] {
            self.out.extend_from_slice(&v.to_le_bytes());
        }
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(data);
        // Its central directory record.
        self.central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [20u16, 20, UTF8_NAMES, 0, 0, DOS_DATE] {
            self.central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            self.central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            self.central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [0u32, offset] {
            self.central.extend_from_slice(&v.to_le_bytes());
        }
        self.central.extend_from_slice(name.as_bytes());
        self.entries += 1;
    }

    pub fn finish(mut self) -> Vec<u8> {
        let central_offset = self.out.len() as u32;
        let central_size = self.central.len() as u32;
        self.out.append(&mut self.central);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        for v in [0u16, 0, self.entries, self.entries] {
            self.out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [central_size, central_offset] {
            self.out.extend_from_slice(&v.to_le_bytes());
        }
        self.out.extend_from_slice(&0u16.to_le_bytes());
        self.out
    }
}

/// The entries of a stored (uncompressed) archive, checked against their CRCs: enough to
/// read back what [`ZipWriter`] wrote.
pub fn entries(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let u16_at = |at: usize| bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let mut out = Vec::new();
    let mut at = 0;
    while u32_at(at) == Some(0x0403_4b50) {
        let truncated = || "truncated archive".to_string();
        let method = u16_at(at + 8).ok_or_else(truncated)?;
        let crc = u32_at(at + 14).ok_or_else(truncated)?;
        let size = u32_at(at + 18).ok_or_else(truncated)? as usize;
        let name_len = u16_at(at + 26).ok_or_else(truncated)? as usize;
        let extra_len = u16_at(at + 28).ok_or_else(truncated)? as usize;
        if method != 0 {
            return Err(format!("compression method {method} is not read here"));
        }
        let name_at = at + 30;
        let data_at = name_at + name_len + extra_len;
        let name = bytes.get(name_at..name_at + name_len).ok_or_else(truncated)?;
        let data = bytes.get(data_at..data_at + size).ok_or_else(truncated)?;
        if crc32(data) != crc {
            return Err("checksum mismatch".into());
        }
        out.push((String::from_utf8_lossy(name).into_owned(), data.to_vec()));
        at = data_at + size;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn entries_read_back_as_written() {
        let mut zip = ZipWriter::default();
        zip.add("a.txt", b"hello");
        zip.add("目录/b.xml", "<x>井盖</x>".as_bytes());
        let bytes = zip.finish();
        let read = entries(&bytes).expect("read");
        assert_eq!(read[0], ("a.txt".into(), b"hello".to_vec()));
        assert_eq!(read[1].0, "目录/b.xml");
        let mut broken = bytes.clone();
        broken[35] ^= 1;
        assert!(entries(&broken).is_err());
    }
}
