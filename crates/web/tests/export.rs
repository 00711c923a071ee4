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
    // Deflated: far smaller than the XML it holds.
    assert!(bytes.len() < 5_000 * 20, "{} bytes", bytes.len());
}
