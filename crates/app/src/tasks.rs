//! Tasks assigned from above (责任清单, 重点任务): a leader or an admin issues a task list
//! from its workbook, owners report each milestone with their evidence, a leader over the
//! owner accepts it or sends it back, and the milestone timer tells of deadlines coming
//! and passed.
//!
//! The rules are `gongzhi_domain::tasks`'s; what is written here is checked before the
//! store is asked, and the store checks who may take a step where it reads the task.

use gongzhi_domain::role::Staff;
use gongzhi_domain::tasks::{self, RowRefused, MAX_FILES, MAX_FILE_BYTES, MAX_NOTE, MAX_TITLE};
use gongzhi_domain::time::Millis;
use gongzhi_store::tasks::{NewFile, NewTask, NewTaskList};
use gongzhi_store::{Store, StoreError};

use crate::Result;

fn refused(code: &'static str) -> crate::AppError {
    StoreError::Refused(code).into()
}

/// Issues a task list from its workbook's rows (`tasks::COLUMNS`), all or nothing; the
/// owner unit is named by its code or its name, the responsible person by login.
/// Returns the list's id, or the first bad row.
pub async fn import(
    store: &Store,
    staff: &Staff,
    name: &str,
    unit_id: i64,
    rows: &[Vec<String>],
) -> Result<std::result::Result<i64, RowRefused>> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_TITLE {
        return Err(refused("task_list_name"));
    }
    let read = match tasks::read_rows(rows) {
        Ok(read) => read,
        Err(refused) => return Ok(Err(refused)),
    };
    let units = store.units().await?;
    let accounts = store.accounts().await?;
    let mut list = NewTaskList { name: name.to_string(), unit_id, tasks: Vec::new() };
    for row in &read {
        let bad = |code| Ok(Err(RowRefused { line: row.line, code }));
        let named: Vec<_> = units.iter().filter(|u| u.code == row.owner || u.name == row.owner).collect();
        let [owner] = named.as_slice() else { return bad("owner") };
        if !staff.covers(&owner.path) && staff.role != gongzhi_domain::Role::Admin {
            return bad("owner_scope");
        }
        let responsible_id = match row.responsible.as_str() {
            "" => None,
            login => match accounts.iter().find(|a| a.login == login && a.active) {
                Some(a) => Some(a.id),
                None => return bad("responsible"),
            },
        };
        let due = tasks::due_at(row.due);
        let continues = list.tasks.last().is_some_and(|t| t.number == row.number);
        if !continues && list.tasks.iter().any(|t| t.number == row.number) {
            return bad("number_apart");
        }
        match list.tasks.last_mut() {
            Some(task) if continues => task.milestones.push((row.milestone.clone(), due)),
            _ => list.tasks.push(NewTask {
                number: row.number.clone(),
                title: row.title.clone(),
                owner_unit_id: owner.id,
                responsible_id,
                evidence: row.evidence.clone(),
                milestones: vec![(row.milestone.clone(), due)],
            }),
        }
    }
    match store.issue_task_list(staff, &list, gongzhi_domain::time::now()).await {
        Ok(id) => Ok(Ok(id)),
        Err(StoreError::Duplicate(_)) => Err(refused("task_list_exists")),
        Err(error) => Err(error.into()),
    }
}

/// The kinds of evidence a report carries: photos, PDF, and office documents.
fn evidence_type(name: &str, bytes: &[u8]) -> Option<&'static str> {
    if let Some(photo) = gongzhi_store::photo_type(bytes) {
        return Some(photo);
    }
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    let extension = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    // Office files are ZIP archives; their extension says which.
    if bytes.starts_with(b"PK\x03\x04") {
        return match extension.as_str() {
            "docx" => Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "pptx" => Some("application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            _ => None,
        };
    }
    None
}

/// A file's name as it is kept: its last path part, without control characters, at
/// most 100 characters.
fn file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let kept: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(100).collect();
    if kept.trim().is_empty() {
        "附件".into()
    } else {
        kept
    }
}

/// The owner reports a milestone's progress, with its evidence (up to `MAX_FILES` photos,
/// PDF or office files of `MAX_FILE_BYTES` each).
pub async fn report(
    store: &Store,
    staff: &Staff,
    milestone_id: i64,
    note: &str,
    files: Vec<(String, Vec<u8>)>,
    at: Millis,
) -> Result<()> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > MAX_NOTE {
        return Err(refused("task_note"));
    }
    let files: Vec<_> = files.into_iter().filter(|(_, bytes)| !bytes.is_empty()).collect();
    if files.len() > MAX_FILES {
        return Err(refused("task_files_many"));
    }
    let mut kept = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(refused("task_file_big"));
        }
        let content_type = evidence_type(&name, &bytes).ok_or_else(|| refused("task_file_type"))?;
        kept.push(NewFile { name: file_name(&name), content_type: content_type.to_string(), bytes });
    }
    Ok(store.report_milestone(staff, milestone_id, note, &kept, at).await?)
}

/// A leader over the owner accepts a reported milestone, or sends it back with a reason.
pub async fn review(
    store: &Store,
    staff: &Staff,
    milestone_id: i64,
    accept: bool,
    note: &str,
    at: Millis,
) -> Result<()> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE || (!accept && note.is_empty()) {
        return Err(refused("task_reason"));
    }
    Ok(store.review_milestone(staff, milestone_id, accept, note, at).await?)
}

/// The milestone timer: tells of the deadlines crossed since it last looked.
pub async fn sweep(store: &Store, now: Millis) -> Result<usize> {
    Ok(store.sweep_milestones(now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_photos_pdf_or_office_files_by_their_bytes() {
        assert_eq!(evidence_type("a.pdf", b"%PDF-1.7 ..."), Some("application/pdf"));
        assert!(evidence_type("报告.docx", b"PK\x03\x04rest").is_some_and(|t| t.contains("word")));
        assert_eq!(evidence_type("a.zip", b"PK\x03\x04rest"), None);
        assert_eq!(evidence_type("a.pdf", b"MZ\x90\x00"), None);
        assert_eq!(evidence_type("x.png", b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
    }

    #[test]
    fn a_files_name_keeps_only_its_last_part() {
        assert_eq!(file_name("C:\\报告\\验收.pdf"), "验收.pdf");
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(file_name("\u{0}\n"), "附件");
    }
}
