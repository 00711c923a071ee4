//! Spreadsheet files as a cadre opens them: every sheet, cell and name read back by an
//! independent reader (calamine), not by the code that wrote them.

mod support;

use gongzhi_web::export::{self, Cell, MadeSheet, Sheet};

#[test]
fn a_workbook_reads_back_with_every_sheet_and_cell() {
    let sheets = vec![
        Sheet {
            name: "问题清单".into(),
            header: vec!["编号".into(), "标题".into()],
            rows: vec![vec![Cell::from("A-1"), Cell::from("井盖 <缺失> & \u{1}损坏")], vec![Cell::Empty, Cell::Int(7)]],
        },
        Sheet { name: "bad/name?".into(), header: vec![], rows: vec![vec![Cell::Int(3), Cell::Number(2.5)]] },
    ];
    let bytes = export::workbook(&sheets.into_iter().map(MadeSheet::from).collect::<Vec<_>>()).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    let read = support::xlsx(&bytes).expect("read back");
    assert_eq!(read.len(), 2);
    assert_eq!(read[0].0, "问题清单");
    assert_eq!(read[0].1[0], vec!["编号", "标题"]);
    assert_eq!(read[0].1[1], vec!["A-1", "井盖 <缺失> & 损坏"]);
    assert_eq!(read[0].1[2], vec!["", "7"]);
    assert_eq!(read[1].0, "badname");
    assert_eq!(read[1].1[0], vec!["3", "2.5"]);
}

#[test]
fn a_long_sheet_is_written_in_pieces_and_reads_back_whole() {
    let rows: Vec<Vec<Cell>> =
        (0..5_000).map(|i| vec![Cell::Int(i), Cell::from(format!("第{i}条 小区路灯不亮，晚上出行不便"))]).collect();
    let sheet = Sheet { name: "清单".into(), header: vec!["序号".into(), "内容".into()], rows };
    let bytes = export::workbook(&[MadeSheet::from(sheet)]).unwrap();
    let read = support::xlsx(&bytes).expect("read back");
    assert_eq!(read[0].1.len(), 5_001);
    assert_eq!(read[0].1[5_000], vec!["4999", "第4999条 小区路灯不亮，晚上出行不便"]);
    // Deflated: far smaller than the XML it holds (over 100 bytes a row).
    assert!(bytes.len() < 5_000 * 25, "{} bytes", bytes.len());
}

/// Peak resident memory of this process so far, in MB (`VmHWM` in /proc/self/status).
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:")?.trim().strip_suffix("kB")?.trim().parse().ok());
    kb.unwrap_or(0.0) / 1024.0
}

/// The largest export there is: three lists of a year, each at the row limit, the rows
/// made as they are written from entries held once, as the lists export does.
#[test]
fn the_largest_export_stays_within_half_a_gigabyte() {
    let entries: std::sync::Arc<Vec<String>> = std::sync::Arc::new(
        (0..export::MAX_ROWS)
            .map(|i| format!("第{i}条 柳湾社区3栋门口井盖缺失一个多星期，晚上有老人差点踩空，请尽快补装。"))
            .collect(),
    );
    let sheets: Vec<MadeSheet> = ["待办", "已办", "超期"]
        .iter()
        .map(|name| {
            let entries = entries.clone();
            let header = (0..12).map(|c| format!("列{c}")).collect();
            MadeSheet::new(name.to_string(), header, entries.len(), move |i| {
                let mut row: Vec<Cell> = (0..10).map(|c| Cell::from(format!("青石街道-{c}-{i}"))).collect();
                row.push(Cell::from(entries[i].as_str()));
                row.push(Cell::Int(i as i64));
                row
            })
        })
        .collect();
    let before = peak_rss_mb();
    let bytes = export::workbook(&sheets).unwrap();
    let after = peak_rss_mb();
    println!("peak RSS {before:.0} MB before, {after:.0} MB after; file {} MB", bytes.len() / 1_000_000);
    let read = support::xlsx(&bytes).unwrap();
    assert_eq!(read.len(), 3);
    assert_eq!(read[2].1.len(), 1 + export::MAX_ROWS);
    assert!(after <= 500.0, "peak RSS {after:.0} MB");
}
