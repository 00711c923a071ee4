//! `gongzhi import` as an operator runs it, killed with SIGKILL in the middle of a file
//! and run again: every batch is stored whole or not at all, the second run skips what
//! the first stored, and in the end each row is stored exactly once with an intact audit
//! chain. A dry run stores nothing and writes the report. Both databases.

use std::path::PathBuf;
use std::process::Stdio;

use gongzhi_domain::time::{self, DAY};
use gongzhi_store::testing::town;
use gongzhi_store::{on_both, Store};
use tokio::io::{AsyncBufReadExt, BufReader};

on_both!(an_import_killed_midway_resumes_and_stores_each_row_once);

const ROWS: usize = 12_000;
const BATCH: usize = 1_000;

fn file(dir: &std::path::Path) -> PathBuf {
    let mut text = String::from("流水号,受理时间,标题,诉求内容,所属社区,诉求类型\n");
    for i in 0..ROWS {
        let at = time::display(time::now() - (i as i64 % 700 + 1) * DAY);
        text.push_str(&format!("K{i},{at},第{i}号楼漏水,第{i}号楼楼顶漏水，住户家里天花板发霉,C1,求助\n"));
    }
    let path = dir.join("hotline.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn gongzhi(url: &str, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_gongzhi"));
    command.arg("--database-url").arg(url).arg("import").args(args);
    command
}

async fn an_import_killed_midway_resumes_and_stores_each_row_once(store: Store, url: String) {
    town(&store).await;
    let dir =
        std::env::temp_dir().join(format!("gongzhi-cli-import-{}-{}", store.backend().name(), std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = file(&dir);
    let file = path.to_str().unwrap();

    // A dry run writes its report and stores nothing.
    let report = dir.join("report.xlsx");
    let out = gongzhi(&url, &[file, "--dry-run", "--report", report.to_str().unwrap()]).output().await.unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("试导入完成，未写入任何数据"), "{said}");
    assert!(report.exists());
    assert_eq!(store.count_requests().await.unwrap(), 0);

    // The import is killed once its third batch is stored.
    let mut child = gongzhi(&url, &[file, "--quiet", "--batch-size", &BATCH.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(line) = lines.next_line().await.unwrap() {
        if line.starts_with("batch 3 stored") {
            break;
        }
    }
    child.start_kill().unwrap();
    let status = child.wait().await.unwrap();
    assert!(!status.success(), "killed");
    let stored = store.count_requests().await.unwrap() as usize;
    assert!((3 * BATCH..ROWS).contains(&stored), "{stored} stored before the kill");
    assert_eq!(stored % BATCH, 0, "a batch is stored whole or not at all: {stored}");

    // Run again: what was stored is skipped, the rest comes in.
    let out = gongzhi(&url, &[file, "--quiet"]).output().await.unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains(&format!("已导入 {} / imported, 已存在而跳过 {stored} / skipped", ROWS - stored)), "{said}");
    assert_eq!(store.count_requests().await.unwrap() as usize, ROWS);
    let audit = store.audit(&[]).await.unwrap();
    assert!(audit.is_clean(), "{audit:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
