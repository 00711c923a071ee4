//! `gongzhi audit` as an operator runs it, on SQLite and on PostgreSQL: a checkpoint goes
//! to the data folder with its key, the audit passes on an untouched district, and names
//! a verdict edited in the table, and a printed anchor that the chain does not match.

use std::path::{Path, PathBuf};
use std::process::Output;

use gongzhi_domain::*;
use gongzhi_store::testing::{dispatched, manhole, staff, town};
use gongzhi_store::{on_both, Store};
use sqlx::{Connection, Executor};

on_both!(the_audit_names_an_edited_verdict);

async fn gongzhi(url: &str, data_dir: &Path, args: &[&str]) -> (bool, String) {
    let Output { status, stdout, stderr } = tokio::process::Command::new(env!("CARGO_BIN_EXE_gongzhi"))
        .arg("--database-url")
        .arg(url)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .await
        .expect("run gongzhi");
    let out = String::from_utf8_lossy(&stdout).into_owned();
    assert!(status.code().is_some(), "{}", String::from_utf8_lossy(&stderr));
    (status.success(), out)
}

async fn the_audit_names_an_edited_verdict(store: Store, url: String) {
    let t = town(&store).await;
    let r = dispatched(&store, &t, manhole(t.community, None)).await;
    store.act(r.id, None, Command::Claim, staff(&t.handler)).await.unwrap();
    let resolve = Command::Resolve { reply: "已补装井盖".into(), contacted: true };
    store.act(r.id, None, resolve, staff(&t.handler)).await.unwrap();
    let verdict =
        Command::Evaluate { solved: false, satisfaction: Satisfaction::Unsatisfied, comment: "没修好".into() };
    store.act(r.id, None, verdict, Actor::Requester).await.unwrap();

    let data: PathBuf = std::env::temp_dir().join(format!("gongzhi-cli-audit-{}-{}", store.backend().name(), r.number));
    let _ = std::fs::remove_dir_all(&data);
    let (ok, out) = gongzhi(&url, &data, &["audit", "checkpoint"]).await;
    assert!(ok && out.contains("审计锚点已写入 / checkpoint written"), "{out}");
    let line = std::fs::read_to_string(data.join("audit-anchors.log")).unwrap();
    assert!(line.starts_with("6 "), "six events anchored: {line}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("audit.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key is its owner's alone");
    }
    let (ok, out) = gongzhi(&url, &data, &["audit", "verify"]).await;
    assert!(ok && out.contains("审计通过 / audit passed"), "{out}");
    assert!(out.contains("全部字段核对 / fully checked 1"), "{out}");

    // The verdict is made a satisfied one in the table.
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    conn.execute(format!("UPDATE requests SET satisfaction = 'satisfied' WHERE id = {}", r.id).as_str()).await.unwrap();
    let (ok, out) = gongzhi(&url, &data, &["audit", "verify"]).await;
    assert!(!ok, "{out}");
    let named = format!(
        "诉求 / request {} (#{}) satisfaction: 库中 / row «satisfied» ≠ 事件 / events «unsatisfied»",
        r.number, r.id
    );
    assert!(out.contains(&named), "{out}");
    assert!(out.contains("发现问题 / PROBLEMS FOUND"), "{out}");

    // An anchor read off a printed bulletin that the chain does not match.
    let (ok, out) = gongzhi(&url, &data, &["audit", "verify", "--anchor", "3:00000000000000000"]).await;
    assert!(!ok && out.contains("chain REWRITTEN: event 3"), "{out}");
    let (ok, out) = gongzhi(&url, &data, &["audit", "verify", "--anchor", "3:abc"]).await;
    assert!(!ok && !out.contains("审计"), "a short hash is refused before anything is read: {out}");
    let _ = std::fs::remove_dir_all(&data);
}
