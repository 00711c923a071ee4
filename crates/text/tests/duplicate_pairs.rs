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

/// Recall on the groups found: of the judged real duplicates, the share whose
/// two messages the batch grouping of the whole file puts in one group.
/// Skips, with a message, when shared/data/tipdm2020c is not there.
#[test]
fn the_grouping_keeps_judged_duplicates_together() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = [
        dir.join("../../../shared/data/tipdm2020c/hot_messages.csv"),
        "/work/shared/data/tipdm2020c/hot_messages.csv".into(),
    ]
    .into_iter()
    .find(|p| p.exists());
    let Some(data) = data else {
        println!("skipped: hot_messages.csv not found");
        return;
    };
    let v = gongzhi_text::commands::dupes_judged(&data, &dir.join("tests/data/duplicate_pairs.csv")).unwrap();
    println!("{v}");
    assert_eq!(v["unmatched"], 0, "every judged excerpt is a message of the file");
    assert!(v["precision"].as_f64().unwrap() >= 0.9, "{v}");
    // 223 of 229 judged duplicate pairs end in one group.
    assert!(v["recall"].as_f64().unwrap() >= 0.95, "{v}");
}
