//! The publishing side of the benchmark: a monthly bulletin of the whole district
//! generated through its form, the dashboard of the district and of a subdistrict, and a
//! cadre's three lists exported to XLSX — the cadre with the most claims, over a month
//! and over a year.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::{Datelike, Months};
use gongzhi_domain::time;
use gongzhi_domain::{Role, UnitKind};
use gongzhi_store::{Claims, Owner, Store};
use serde_json::{json, Value};

use super::{percentiles, round, timed, Options};

/// Who the publishing reads are made as, with their API tokens.
pub struct Cast {
    supervisor: String,
    leader: String,
    district: i64,
    subdistrict: i64,
    /// The handler with the most claims in the last year, and how many.
    cadre: i64,
    cadre_claims: i64,
}

/// Made while the store is still open, before the server starts.
pub async fn cast(store: &Store) -> Result<Cast> {
    let accounts = store.accounts().await?;
    let units = store.units().await?;
    let supervisor = accounts.iter().find(|a| a.role == Role::Supervisor).context("no supervisor")?;
    let leader = accounts
        .iter()
        .find(|a| a.role == Role::Leader && units.iter().any(|u| u.id == a.unit_id && u.kind == UnitKind::Subdistrict))
        .context("no subdistrict leader")?;
    let today = time::local_date(time::now());
    let mut busiest = (0, 0);
    for handler in accounts.iter().filter(|a| a.role == Role::Handler) {
        let claims = Claims {
            owner: Owner::Cadre(handler.id),
            from: today - chrono::Duration::days(364),
            to: today,
            closed_only: false,
        };
        let (summary, _) = store.lists(&supervisor.staff(), &claims, 0, 1).await?;
        if summary.claimed > busiest.1 {
            busiest = (handler.id, summary.claimed);
        }
    }
    Ok(Cast {
        supervisor: gongzhi_app::accounts::create_api_token(store, &supervisor.login, "bench").await?,
        leader: gongzhi_app::accounts::create_api_token(store, &leader.login, "bench").await?,
        district: units.first().map(|u| u.id).unwrap_or(1),
        subdistrict: leader.unit_id,
        cadre: busiest.0,
        cadre_claims: busiest.1,
    })
}

/// The CSRF cookie and field a form post carries; any 64 characters do.
pub(super) const CSRF: &str = "b0e1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1";

pub async fn measure(
    client: &reqwest::Client,
    base: &str,
    cast: &Cast,
    options: &Options,
) -> Result<Vec<(&'static str, Value)>> {
    let today = time::local_date(time::now());
    let first = today.with_day(1).unwrap_or(today);
    let mut out = Vec::new();

    out.push(("bulletin_monthly_district", monthly_bulletins(base, &cast.supervisor, cast.district).await?));

    // Dashboards: the district's and a subdistrict's last 30 days, as their pages open.
    let dashboards = |unit: i64, token: &str| dashboard_urls(base, unit, token, options.samples);
    out.push((
        "page_dashboard_district",
        timed(client, dashboards(cast.district, &cast.supervisor), options.read_clients).await?,
    ));
    out.push((
        "page_dashboard_subdistrict",
        timed(client, dashboards(cast.subdistrict, &cast.leader), options.read_clients).await?,
    ));

    // The busiest cadre's three lists as XLSX, for last month and for the whole year.
    let month = first.checked_sub_months(Months::new(1)).unwrap_or(first);
    let month_end = first.pred_opt().unwrap_or(first);
    let year_from = today - chrono::Duration::days(364);
    for (name, from, to) in [("lists_export_month", month, month_end), ("lists_export_year", year_from, today)] {
        let uri = format!("{base}/work/lists.xlsx?cadre={}&from={from}&to={to}", cast.cadre);
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..20 {
            let sent = Instant::now();
            let response =
                client.get(&uri).bearer_auth(&cast.supervisor).timeout(Duration::from_secs(60)).send().await?;
            if !response.status().is_success() {
                bail!("the lists export answered {}", response.status());
            }
            bytes = response.bytes().await?.len();
            times.push(sent.elapsed().as_secs_f64() * 1000.0);
        }
        let mut figures = percentiles(times);
        figures["kb"] = json!(round(bytes as f64 / 1024.0));
        out.push((name, figures));
    }
    out.push(("lists_cadre_claims_year", json!(cast.cadre_claims)));
    Ok(out)
}

/// Monthly bulletins of a unit (the whole district), for each of the last six months, as
/// a supervisor generates them through the form. The form answers with a redirect to the
/// new bulletin, which is not followed: that is a read.
pub(super) async fn monthly_bulletins(base: &str, supervisor: &str, unit: i64) -> Result<Value> {
    let today = time::local_date(time::now());
    let first = today.with_day(1).unwrap_or(today);
    let poster = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let mut builds = Vec::new();
    let post = |path: String, form: String| {
        poster
            .post(format!("{base}{path}"))
            .bearer_auth(supervisor)
            .header("cookie", format!("gongzhi_csrf={CSRF}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
    };
    for back in 1..=6 {
        let month = first.checked_sub_months(Months::new(back)).unwrap_or(first);
        let form = format!("_csrf={CSRF}&unit={unit}&kind=monthly&date={month}");
        // A unit has one draft per period: a draft left by an earlier run on the same
        // database is published first, so that the month is built again.
        for _ in 0..2 {
            let sent = Instant::now();
            let response = post("/work/bulletins".into(), form.clone()).await?;
            let elapsed = sent.elapsed().as_secs_f64() * 1000.0;
            let location = response.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string);
            let (Some(location), reqwest::StatusCode::SEE_OTHER) = (location, response.status()) else {
                bail!("generating a bulletin answered {}: {}", response.status(), response.text().await?);
            };
            let (draft, existing) = location.split_once('?').unwrap_or((&location, ""));
            post(format!("{draft}/publish"), format!("_csrf={CSRF}&provisional=1")).await?;
            if existing.is_empty() {
                builds.push(elapsed);
                break;
            }
        }
    }
    Ok(percentiles(builds))
}

/// A unit's dashboard over the last 30 days, as it opens, `samples` times.
pub(super) fn dashboard_urls(base: &str, unit: i64, token: &str, samples: usize) -> Vec<(String, String)> {
    let today = time::local_date(time::now());
    let from = today - chrono::Duration::days(29);
    (0..samples)
        .map(|_| (format!("{base}/work/dashboard?unit={unit}&from={from}&to={today}"), token.to_string()))
        .collect()
}
