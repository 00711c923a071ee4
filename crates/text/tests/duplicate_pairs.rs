//! Precision of duplicate detection on pairs judged by hand (see tests/data/README.md).

#[test]
fn reported_duplicates_are_mostly_real_duplicates() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/duplicate_pairs.csv");
    let mut reader = csv::Reader::from_path(&path).expect("the judged pairs ship with the crate");
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), ["a_text_excerpt", "b_text_excerpt", "similarity", "is_duplicate"]);
    let threshold = gongzhi_text::dupes::DupeConfig::default().threshold;
    let (mut reported, mut correct) = (0usize, 0usize);
    for record in reader.records() {
        let record = record.unwrap();
        let similarity: f32 = record[2].parse().unwrap();
        // The file holds only pairs that the current threshold reports.
        assert!(similarity >= threshold - 1e-3, "pair below the threshold: {record:?}");
        reported += 1;
        correct += usize::from(&record[3] == "1");
    }
    assert!(reported >= 200, "only {reported} judged pairs");
    let precision = correct as f64 / reported as f64;
    println!("duplicate precision on {reported} judged pairs: {precision:.3}");
    assert!(precision >= 0.9, "precision {precision:.3}");
}
