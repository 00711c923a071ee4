//! The ZIP container an XLSX file is: entries deflated as they are written, so that a
//! year of a cadre's lists leaves the server as tens of megabytes, not hundreds, and the
//! sheet's XML never has to exist whole in memory (only its deflated form does).

use std::io::{self, Read, Write};

use flate2::write::DeflateEncoder;
use flate2::Compression;

/// 1980-01-01 00:00 in MS-DOS form: the entries' times carry no meaning here.
const DOS_DATE: u16 = (1 << 5) | 1;
/// General purpose flag: names are UTF-8.
const UTF8_NAMES: u16 = 1 << 11;
const DEFLATED: u16 = 8;

/// Builds an archive entry by entry.
#[derive(Default)]
pub struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

/// One entry being written: what goes in is counted, checksummed and deflated.
pub struct Entry {
    deflate: DeflateEncoder<Vec<u8>>,
    crc: crc32fast::Hasher,
    size: u64,
}

impl Write for Entry {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let written = self.deflate.write(data)?;
        self.crc.update(&data[..written]);
        self.size += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.deflate.flush()
    }
}

fn push_u16(out: &mut Vec<u8>, values: &[u16]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn push_u32(out: &mut Vec<u8>, values: &[u32]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// ZIP without its 64-bit extension counts sizes in 32 bits.
fn size32(size: u64) -> io::Result<u32> {
    u32::try_from(size).map_err(|_| io::Error::other("an entry over 4 GB"))
}

impl ZipWriter {
    pub fn add(&mut self, name: &str, data: &[u8]) -> io::Result<()> {
        self.add_with(name, |entry| entry.write_all(data))
    }

    /// Adds the entry `name` with what `fill` writes into it, deflated as it comes.
    pub fn add_with(&mut self, name: &str, fill: impl FnOnce(&mut Entry) -> io::Result<()>) -> io::Result<()> {
        let mut entry = Entry {
            deflate: DeflateEncoder::new(Vec::new(), Compression::fast()),
            crc: crc32fast::Hasher::new(),
            size: 0,
        };
        fill(&mut entry)?;
        let Entry { deflate, crc, size } = entry;
        let data = deflate.finish()?;
        let (crc, size, packed) = (crc.finalize(), size32(size)?, size32(data.len() as u64)?);
        let offset = size32(self.out.len() as u64)?;
        let name_len = u16::try_from(name.len()).map_err(|_| io::Error::other("an entry name too long"))?;

        // Local file header, then the data.
        push_u32(&mut self.out, &[0x0403_4b50]);
        push_u16(&mut self.out, &[20, UTF8_NAMES, DEFLATED, 0, DOS_DATE]);
        push_u32(&mut self.out, &[crc, packed, size]);
        push_u16(&mut self.out, &[name_len, 0]);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(&data);

        // Its central directory record.
        push_u32(&mut self.central, &[0x0201_4b50]);
        push_u16(&mut self.central, &[20, 20, UTF8_NAMES, DEFLATED, 0, DOS_DATE]);
        push_u32(&mut self.central, &[crc, packed, size]);
        push_u16(&mut self.central, &[name_len, 0, 0, 0, 0]);
        push_u32(&mut self.central, &[0, offset]);
        self.central.extend_from_slice(name.as_bytes());
        self.entries += 1;
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<Vec<u8>> {
        let central_offset = size32(self.out.len() as u64)?;
        let central_size = size32(self.central.len() as u64)?;
        self.out.append(&mut self.central);
        push_u32(&mut self.out, &[0x0605_4b50]);
        push_u16(&mut self.out, &[0, 0, self.entries, self.entries]);
        push_u32(&mut self.out, &[central_size, central_offset]);
        push_u16(&mut self.out, &[0]);
        Ok(self.out)
    }
}

/// The entries of an archive, stored or deflated, checked against their CRCs: enough to
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
        let packed = u32_at(at + 18).ok_or_else(truncated)? as usize;
        let size = u32_at(at + 22).ok_or_else(truncated)? as usize;
        let name_len = u16_at(at + 26).ok_or_else(truncated)? as usize;
        let extra_len = u16_at(at + 28).ok_or_else(truncated)? as usize;
        let name_at = at + 30;
        let data_at = name_at + name_len + extra_len;
        let name = bytes.get(name_at..name_at + name_len).ok_or_else(truncated)?;
        let data = bytes.get(data_at..data_at + packed).ok_or_else(truncated)?;
        let data = match method {
            0 => data.to_vec(),
            DEFLATED => {
                let mut unpacked = Vec::with_capacity(size);
                flate2::read::DeflateDecoder::new(data)
                    .read_to_end(&mut unpacked)
                    .map_err(|e| format!("bad deflate data: {e}"))?;
                unpacked
            }
            other => return Err(format!("compression method {other} is not read here")),
        };
        if data.len() != size || crc32fast::hash(&data) != crc {
            return Err("checksum mismatch".into());
        }
        out.push((String::from_utf8_lossy(name).into_owned(), data));
        at = data_at + packed;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_back_as_written() {
        let mut zip = ZipWriter::default();
        zip.add("a.txt", b"hello").unwrap();
        let rows = "<row>井盖</row>".repeat(10_000);
        zip.add_with("目录/b.xml", |entry| {
            // Written in pieces, as a worksheet is.
            for piece in rows.as_bytes().chunks(777) {
                entry.write_all(piece)?;
            }
            Ok(())
        })
        .unwrap();
        let bytes = zip.finish().unwrap();
        assert!(bytes.len() < rows.len() / 10, "deflated: {} bytes for {}", bytes.len(), rows.len());
        let read = entries(&bytes).expect("read");
        assert_eq!(read[0], ("a.txt".into(), b"hello".to_vec()));
        assert_eq!(read[1], ("目录/b.xml".into(), rows.into_bytes()));
        let mut broken = bytes.clone();
        broken[40] ^= 1;
        assert!(entries(&broken).is_err());
    }
}
