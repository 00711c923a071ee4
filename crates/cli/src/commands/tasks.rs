//! The demo district's tasks assigned from above: the district's leader issues
//! "2026年重点任务" — an old estate's renovation owned by the demo community, a back-street
//! clean-up owned by the demo subdistrict, a food-safety check owned by a department —
//! and the owners' reports and the reviews so far, one sent back, one overdue and one
//! waiting for review, all through the same use cases the pages use.

use anyhow::{Context as _, Result};
use gongzhi_app::tasks as assigned;
use gongzhi_domain::time::{self, DAY, HOUR};
use gongzhi_domain::UnitKind;
use gongzhi_store::tasks::MilestonesOf;
use gongzhi_store::Store;

pub async fn demo(store: &Store) -> Result<()> {
    let accounts = store.accounts().await?;
    let account =
        |login: &str| accounts.iter().find(|a| a.login == login).with_context(|| format!("demo login {login}"));
    let (issuer, cadre, street) = (account("leader")?, account("handler_c001")?, account("leader_s01")?);
    let units = store.units().await?;
    let code = |id: i64| units.iter().find(|u| u.id == id).map(|u| u.code.clone()).context("a demo unit");
    let department = units.iter().find(|u| u.kind == UnitKind::Department).context("a demo department")?;
    let handler = accounts.iter().find(|a| a.unit_id == department.id && a.role == gongzhi_domain::Role::Handler);
    let today = time::local_date(time::now());
    let day = |offset: i64| (today + chrono::Duration::days(offset)).to_string();
    let (community, subdistrict) = (code(cadre.unit_id)?, code(street.unit_id)?);
    let fixer = handler.map(|a| a.login.clone()).unwrap_or_default();
    let rows: Vec<[String; 7]> = vec![
        ["1", "推进老旧小区改造", &community, &cadre.login, "摸底台账、改造方案、验收报告", "完成摸底调查", &day(-20)],
        ["1", "", "", "", "", "完成改造方案", &day(-2)],
        ["1", "", "", "", "", "完成改造并验收", &day(60)],
        ["2", "背街小巷环境整治", &subdistrict, &street.login, "整治前后对比照片", "制定整治方案", &day(-10)],
        ["2", "", "", "", "", "完成第一批整治", &day(5)],
        ["3", "食品安全专项检查", &department.code, &fixer, "检查记录、问题清单", "完成辖区检查", &day(20)],
        ["3", "", "", "", "", "报送工作总结", &day(45)],
    ]
    .into_iter()
    .map(|r| r.map(|c| c.to_string()))
    .collect();
    let header = gongzhi_domain::tasks::COLUMNS.map(str::to_string).to_vec();
    let rows: Vec<Vec<String>> = std::iter::once(header).chain(rows.into_iter().map(Vec::from)).collect();
    let staff = issuer.staff();
    let root = units.first().context("the demo district")?.id;
    let list = assigned::import(store, &staff, "2026年重点任务", root, &rows)
        .await?
        .map_err(|r| anyhow::anyhow!("demo task row {} refused: {}", r.line, r.code))?;
    let milestones = store.milestone_lines(&staff, &MilestonesOf::List(list), None, None).await?;
    let id = |title: &str| milestones.iter().find(|m| m.title == title).map(|m| m.id).context("a demo milestone");
    let now = time::now();
    let (survey, plan) = (id("完成摸底调查")?, id("制定整治方案")?);
    let files = || vec![("摸底台账.pdf".to_string(), b"%PDF-1.4 demo".to_vec())];
    assigned::report(store, &cadre.staff(), survey, "已完成 12 个小区入户摸底", files(), now - 24 * DAY).await?;
    let reason = "缺少各小区的户数和管线情况，请补充";
    assigned::review(store, &street.staff(), survey, false, reason, now - 23 * DAY).await?;
    assigned::report(store, &cadre.staff(), survey, "已补充户数和管线台账", files(), now - 22 * DAY).await?;
    assigned::review(store, &street.staff(), survey, true, "", now - 21 * DAY).await?;
    assigned::report(store, &street.staff(), plan, "整治方案已经街道党工委会议通过", vec![], now - 12 * DAY).await?;
    assigned::review(store, &staff, plan, true, "同意", now - 11 * DAY).await?;
    let first = id("完成第一批整治")?;
    assigned::report(store, &street.staff(), first, "第一批 8 条背街小巷已整治完成", vec![], now - 2 * HOUR).await?;
    Ok(())
}
