//! The three lists, dashboards and bulletins over HTTP, on both databases: a cadre's
//! lists show the right counts and leave as three sheets; a bulletin's figures, and a
//! dashboard's, equal what `GET /api/v1/stats` says for the same scope and period; and
//! the page behind each figure lists as many requests as the figure counts.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::Duration;
use gongzhi_domain::bulletin::{Period, PeriodKind};
use gongzhi_domain::figures::{display, Measure, Weight, SELECTIONS};
use gongzhi_domain::measures::Measures;
use gongzhi_domain::supervision::callback::{Answers, AttemptResult};
use gongzhi_domain::supervision::SampleRule;
use gongzhi_domain::time::{self, DAY};
use gongzhi_store::testing::{month_of_work, town, week_of_claims};
use gongzhi_store::{on_both, CallInput, DrawSpec, Store};
use gongzhi_web::{router, AppState, WebConfig};
use serde_json::Value;
use tower::ServiceExt;

on_both!(
    a_cadres_three_lists_show_the_right_counts_and_export_three_sheets,
    a_bulletins_figures_equal_the_stats_api,
    every_figure_lists_as_many_requests_as_it_counts,
    callback_figures_list_the_requests_called,
    bulletins_default_to_the_last_complete_period_and_provisional_ones_are_confirmed_and_marked,
    rankings_weigh_every_rate_leave_thin_data_unranked_and_say_how_each_figure_is_computed,
    enterprises_requests_have_their_own_section,
);

const CSRF: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Reply {
    status: StatusCode,
    bytes: Vec<u8>,
    headers: axum::http::HeaderMap,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap()
    }
}

async fn send(app: &Router, token: &str, method: &str, uri: &str, form: Option<&str>) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::COOKIE, format!("gongzhi_csrf={CSRF}"));
    if form.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let body = form.map(|f| Body::from(f.to_string())).unwrap_or_else(Body::empty);
    let response = app.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec();
    Reply { status, bytes, headers }
}

async fn get(app: &Router, token: &str, uri: &str) -> Reply {
    send(app, token, "GET", uri, None).await
}

/// The text of the element with this id.
fn by_id(html: &str, id: &str) -> String {
    let tail = html.split(&format!("id=\"{id}\"")).nth(1).unwrap_or_else(|| panic!("no #{id} on the page"));
    tail.split_once('>').unwrap().1.split('<').next().unwrap().trim().to_string()
}

/// A figure as pages show it: a score withheld for too little data says so.
fn shown(measure: Measure, m: &Measures) -> String {
    if measure == Measure::CompositeScore && m.too_little_data {
        "数据不足".into()
    } else {
        display(measure, m)
    }
}

/// The value of the figure card with this id: its bold number.
fn figure(html: &str, id: &str) -> String {
    let tail = html.split(&format!("id=\"{id}\"")).nth(1).unwrap_or_else(|| panic!("no #{id} on the page"));
    tail.split("<b>").nth(1).unwrap().split('<').next().unwrap().trim().to_string()
}

async fn a_cadres_three_lists_show_the_right_counts_and_export_three_sheets(store: Store, _url: String) {
    let t = town(&store).await;
    let mine = week_of_claims(&store, &t).await;
    let leader = store.create_api_token("leader_s1", "test").await.unwrap();
    let handler = store.create_api_token("handler_c1", "test").await.unwrap();
    let other = store.create_api_token("handler_c2", "test").await.unwrap();
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let today = time::local_date(time::now());
    let cadre = format!("cadre={}&from={today}&to={today}", t.handler.user_id);

    let page = get(&app, &leader, &format!("/work/lists?{cadre}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert_eq!(by_id(&html, "summary-claimed"), "5");
    assert_eq!(by_id(&html, "summary-closed"), "3");
    assert!(html.contains("领办 ") && html.contains("办结率 60.0%"), "{html}");
    assert_eq!(html.matches("/work/requests/").count(), 5, "one line per claimed request");
    for id in &mine {
        assert!(html.contains(&format!("/work/requests/{id}\"")));
    }
    // The 办结 figure links to exactly the closed ones.
    let closed = get(&app, &leader, &format!("/work/lists?{cadre}&closed=1&list=outcome")).await.text();
    assert_eq!(closed.matches("/work/requests/").count(), 3);
    assert!(closed.contains("未写明办理措施"), "the entry resolved without a measure is flagged");

    // A handler sees their own lists without asking; the 桃源 handler cannot see them.
    let own = get(&app, &handler, "/work/lists").await.text();
    assert_eq!(by_id(&own, "summary-claimed"), "5");
    let refused = get(&app, &other, &format!("/work/lists?{cadre}")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text().contains("干部不存在或不在您的管辖范围内"));
    let unit = get(&app, &leader, &format!("/work/lists?unit={}&from={today}&to={today}", t.street)).await.text();
    assert_eq!(by_id(&unit, "summary-claimed"), "7");
    let bad = get(&app, &leader, "/work/lists?from=2026-13-01").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // The export: three sheets, one row per claimed request under each header, and the
    // milestones assigned from above (none here: a header alone).
    let xlsx = get(&app, &leader, &format!("/work/lists.xlsx?{cadre}")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(xlsx.headers[header::CONTENT_TYPE], gongzhi_web::export::XLSX_TYPE);
    let sheets = support::xlsx(&xlsx.bytes).unwrap();
    let names: Vec<&str> = sheets.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, vec!["问题清单", "任务清单", "效果清单", "上级交办任务"]);
    assert_eq!(sheets[3].1.len(), 1, "the assigned tasks' sheet: its header");
    for (name, rows) in &sheets[..3] {
        assert_eq!(rows.len(), 6, "{name}: a header and five entries");
    }
    let task = &sheets[1].1;
    assert!(task.iter().any(|row| row.iter().any(|cell| cell.contains("已联系市政养护单位到场查看"))));
    let outcome = &sheets[2].1;
    assert!(outcome.iter().any(|row| row.iter().any(|cell| cell == "满意，已解决")));

    // The printable view holds all three lists and the summary line.
    let print = get(&app, &leader, &format!("/work/lists/print?{cadre}")).await.text();
    for id in ["list-problem", "list-task", "list-outcome", "lists-summary"] {
        assert!(print.contains(&format!("id=\"{id}\"")), "{id}");
    }
}

/// The measures `GET /api/v1/stats` gives for a unit and period.
async fn stats(app: &Router, token: &str, unit: i64, period: &Period) -> Measures {
    let uri = format!("/api/v1/stats?unit={unit}&from={}&to={}", period.from, period.to);
    let reply = get(app, token, &uri).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    serde_json::from_value(reply.json()["measures"].clone()).unwrap()
}

async fn a_bulletins_figures_equal_the_stats_api(store: Store, _url: String) {
    let t = town(&store).await;
    let now = month_of_work(&store, &t).await;
    let supervisor = store.create_api_token("supervisor", "test").await.unwrap();
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let day = time::local_date(now - 29 * DAY);

    // The supervisor generates the month's bulletin from the page.
    let form = format!("_csrf={CSRF}&unit={}&kind=monthly&date={day}", t.district);
    let made = send(&app, &supervisor, "POST", "/work/bulletins", Some(&form)).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let location = made.headers[header::LOCATION].to_str().unwrap().to_string();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();

    let bulletin = get(&app, &supervisor, &format!("/api/v1/bulletins/{id}")).await.json();
    let period = Period::of(PeriodKind::Monthly, day);
    assert_eq!(
        (bulletin["from"].as_str(), bulletin["to"].as_str()),
        (Some(&*period.from.to_string()), Some(&*period.to.to_string()))
    );
    let content = &bulletin["content"];
    assert!(content["enterprises"].is_null(), "no enterprise raised anything: no 营商环境 section");
    let measures: Measures = serde_json::from_value(content["measures"].clone()).unwrap();
    let api = stats(&app, &supervisor, t.district, &period).await;
    assert_eq!(measures, api);
    assert!(api.intake > 0);
    for line in content["ranking"].as_array().unwrap() {
        let unit = line["unit"]["id"].as_i64().unwrap();
        let ranked: Measures = serde_json::from_value(line["measures"].clone()).unwrap();
        assert_eq!(ranked, stats(&app, &supervisor, unit, &period).await, "{}", line["unit"]["name"]);
    }

    // The bulletin's page shows the same figures, each linked to its requests.
    let page = get(&app, &supervisor, &location).await.text();
    for measure in Measure::ALL {
        assert_eq!(figure(&page, &format!("figure-{}", measure.as_str())), shown(*measure, &api), "{measure}");
    }
    assert!(page.replace("&#38;", "&").contains(&format!(
        "/work/figures?unit={}&from={}&to={}&figure=closure_rate",
        t.district, period.from, period.to
    )));

    // Remarks, publication, the public list and print view.
    let remarks = format!("_csrf={CSRF}&remarks=%E8%AF%B7%E5%8F%8A%E6%97%B6%E6%95%B4%E6%94%B9");
    assert_eq!(
        send(&app, &supervisor, "POST", &format!("/work/bulletins/{id}/remarks"), Some(&remarks)).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        get(&app, "none", &format!("/bulletins/{id}")).await.status,
        StatusCode::NOT_FOUND,
        "drafts are not public"
    );
    // Confirmed as provisional in case the month is not over yet.
    let confirmed = format!("_csrf={CSRF}&provisional=1");
    let publish = send(&app, &supervisor, "POST", &format!("/work/bulletins/{id}/publish"), Some(&confirmed)).await;
    assert_eq!(publish.status, StatusCode::SEE_OTHER);
    let forged =
        send(&app, &supervisor, "POST", &format!("/work/bulletins/{id}/remarks"), Some("_csrf=wrong&remarks=x")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "a form from elsewhere is not allowed");
    // Published, it changes no more: that is a conflict with what happened.
    let late = format!("_csrf={CSRF}&remarks=x");
    let late = send(&app, &supervisor, "POST", &format!("/work/bulletins/{id}/remarks"), Some(&late)).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.text());
    let public = router(AppState::new(store.clone(), WebConfig::default()));
    let index = public.clone().oneshot(Request::get("/bulletins").body(Body::empty()).unwrap()).await.unwrap();
    let index =
        String::from_utf8_lossy(&axum::body::to_bytes(index.into_body(), usize::MAX).await.unwrap()).into_owned();
    assert!(index.contains(&format!("href=\"/bulletins/{id}\"")), "{index}");
    let print =
        public.oneshot(Request::get(format!("/bulletins/{id}/print")).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(print.status(), StatusCode::OK);
    let print =
        String::from_utf8_lossy(&axum::body::to_bytes(print.into_body(), usize::MAX).await.unwrap()).into_owned();
    assert!(print.contains("请及时整改") && print.contains(&display(Measure::Intake, &api)));
    assert!(!print.contains("/work/figures"), "the public print view links to nothing internal");
    // Printed and public, the audit chain's head at publication, as `audit verify --anchor` takes it.
    let anchor = store.bulletin_anchor(id).await.unwrap().expect("a published bulletin carries its anchor");
    let printed = format!("审计锚点 seq {} · {} · ", anchor.seq, anchor.short_hash());
    assert!(print.contains(&printed), "{print}");
    assert!(get(&app, "none", &format!("/bulletins/{id}")).await.text().contains(&printed));
    // Printed without a server (`gongzhi bulletin pdf`): the same document, in one file
    // that carries its own styles.
    let alone = gongzhi_web::pages::bulletins::standalone_print(&store, id, gongzhi_web::i18n::Lang::Zh).await.unwrap();
    assert!(alone.contains("请及时整改") && alone.contains(&printed) && alone.contains("<style>"));
    assert!(!alone.contains("/assets/"), "nothing to fetch from a server");
    let xlsx = support::xlsx(&get(&app, &supervisor, &format!("/bulletins/{id}/xlsx")).await.bytes).unwrap();
    assert_eq!(xlsx.len(), 5);
    assert!(xlsx[0].1.iter().any(|row| row == &vec!["受理量".to_string(), api.intake.to_string()]));

    // A leader cannot generate bulletins; the form says why.
    let leader = store.create_api_token("leader_s1", "test").await.unwrap();
    let form = format!("_csrf={CSRF}&unit={}&kind=weekly&date={day}", t.street);
    let refused = send(&app, &leader, "POST", "/work/bulletins", Some(&form)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn every_figure_lists_as_many_requests_as_it_counts(store: Store, _url: String) {
    let t = town(&store).await;
    let now = month_of_work(&store, &t).await;
    let leader = store.create_api_token("leader_s1", "test").await.unwrap();
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let today = time::local_date(now);
    let period = Period::custom(today - Duration::days(31), today + Duration::days(40)).unwrap();
    let scope = format!("unit={}&from={}&to={}", t.street, period.from, period.to);

    // The dashboard shows the stats API's figures for the same scope and period.
    let api = stats(&app, &leader, t.street, &period).await;
    let dashboard = get(&app, &leader, &format!("/work/dashboard?{scope}")).await;
    assert_eq!(dashboard.status, StatusCode::OK, "{}", dashboard.text());
    let html = dashboard.text();
    for measure in Measure::ALL {
        assert_eq!(figure(&html, &format!("figure-{}", measure.as_str())), shown(*measure, &api), "{measure}");
    }
    assert!(html.contains("id=\"ranking\"") && html.contains("id=\"trend-data\""));

    // Each counter's page counts what the stats API's counters say.
    let counters = serde_json::to_value(api.counters).unwrap();
    for selection in SELECTIONS {
        let page = get(&app, &leader, &format!("/work/figures?{scope}&figure={}", selection.name)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", selection.name);
        let html = page.text();
        let shown: i64 = html
            .split(&format!("id=\"part-{}\"", selection.name))
            .nth(1)
            .and_then(|s| s.split("class=\"count\">").nth(1))
            .and_then(|s| s.split('<').next())
            .unwrap()
            .parse()
            .unwrap();
        let expected = match counters.get(selection.name) {
            Some(n) => n.as_i64().unwrap(),
            None => api.overdue_count - api.counters.resolved_late,
        };
        assert_eq!(shown, expected, "{}", selection.name);
        let links = html.matches("href=\"/work/requests/").count() as i64;
        match selection.weight {
            Weight::One => assert_eq!(links, expected.min(50), "{}", selection.name),
            // Repeat calls are counted, and the requests they were about listed.
            Weight::RepeatCalls => assert!(links > 0 && links < expected, "{}: {links} of {expected}", selection.name),
        }
    }
    // A rate's page shows both its counts and which of the whole are in the part.
    let closure = get(&app, &leader, &format!("/work/figures?{scope}&figure=closure_rate")).await.text();
    assert_eq!(by_id(&closure, "figure-value"), display(Measure::ClosureRate, &api));
    assert_eq!(closure.matches("<td>✓</td>").count() as i64, api.counters.dispatched_resolved);

    // Nonsense and other people's units get a clear refusal, not a crash.
    assert_eq!(
        get(&app, &leader, &format!("/work/figures?{scope}&figure=nothing")).await.status,
        StatusCode::BAD_REQUEST
    );
    let outside = format!("/work/figures?unit={}&figure=intake", t.department);
    assert!(get(&app, &leader, &outside).await.text().contains("不在您的管辖范围内"));
    assert_eq!(
        get(&app, &leader, "/work/dashboard?from=2026-01-10&to=2026-01-01").await.status,
        StatusCode::BAD_REQUEST
    );
}

async fn callback_figures_list_the_requests_called(store: Store, _url: String) {
    let t = town(&store).await;
    let now = month_of_work(&store, &t).await;
    let today = time::local_date(now);
    let rule = SampleRule { rate_percent: 100, minimum: 1 };
    let spec = DrawSpec { unit_id: t.district, from: today - Duration::days(31), to: today, rule, seed: Some(3) };
    store.draw_sample(&t.supervisor, &spec, now).await.unwrap();
    let item = store.callback_queue(&t.supervisor, 0, 50).await.unwrap().items[0].clone();
    let yes = Answers { from_public: true, measures_known: true, result_fed_back: true, satisfied: true };
    let call = CallInput {
        result: AttemptResult::Reached(yes),
        note: "回访核实".into(),
        rework_reason: String::new(),
        rework_due: now + 5 * DAY,
    };
    store.record_callback(&t.supervisor, item.id, call, now).await.unwrap();
    let summary = store.callback_summary(t.district, today, today).await.unwrap();
    let supervisor = store.create_api_token("supervisor", "test").await.unwrap();
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let scope = format!("unit={}&from={today}&to={today}", t.district);

    // The dashboard's callback figures link to the requests they count.
    let dashboard = get(&app, &supervisor, &format!("/work/dashboard?{scope}")).await.text();
    assert!(dashboard.replace("&#38;", "&").contains(&format!("/work/figures?{scope}&figure=callbacks.sampled")));
    let sampled = get(&app, &supervisor, &format!("/work/figures?{scope}&figure=callbacks.sampled")).await.text();
    assert_eq!(by_id(&sampled, "figure-value"), summary.sampled.count.to_string());
    assert_eq!(sampled.matches("href=\"/work/requests/").count(), summary.sampled.request_ids.len());
    let satisfied = get(&app, &supervisor, &format!("/work/figures?{scope}&figure=callbacks.satisfied")).await.text();
    assert_eq!(by_id(&satisfied, "figure-value"), "1");
    assert!(satisfied.contains(&format!("href=\"/work/requests/{}\"", item.request_id)));
    let unknown = get(&app, &supervisor, &format!("/work/figures?{scope}&figure=callbacks.nothing")).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

async fn bulletins_default_to_the_last_complete_period_and_provisional_ones_are_confirmed_and_marked(
    store: Store,
    _url: String,
) {
    let t = town(&store).await;
    let now = month_of_work(&store, &t).await;
    let supervisor = store.create_api_token("supervisor", "test").await.unwrap();
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let today = time::local_date(now);
    let last_week = Period::last_complete(PeriodKind::Weekly, today);

    // The form leaves the date empty and says that means last week or last month.
    let form = get(&app, &supervisor, "/work/bulletins").await.text();
    assert!(form.contains("name=\"date\" value=\"\""), "{form}");
    assert!(by_id(&form, "default-period").contains(&last_week.label_zh()), "{form}");

    // Generated without a date: last week, over and final.
    let weekly = format!("_csrf={CSRF}&unit={}&kind=weekly", t.street);
    let made = send(&app, &supervisor, "POST", "/work/bulletins", Some(&weekly)).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let final_page = made.headers[header::LOCATION].to_str().unwrap().to_string();
    let final_id = final_page.rsplit('/').next().unwrap().to_string();
    let data = get(&app, &supervisor, &format!("/api/v1/bulletins/{final_id}")).await.json();
    assert_eq!(data["from"].as_str(), Some(&*last_week.from.to_string()));
    assert_eq!((data["to"].as_str(), data["provisional"].as_bool()), (Some(&*last_week.to.to_string()), Some(false)));
    assert!(!get(&app, &supervisor, &final_page).await.text().contains("id=\"provisional\""));
    // Asked again, the period's draft opens instead of a second one.
    let again = send(&app, &supervisor, "POST", "/work/bulletins", Some(&weekly)).await;
    assert_eq!(again.headers[header::LOCATION].to_str().unwrap(), format!("{final_page}?existing=1"));
    assert!(get(&app, &supervisor, &format!("{final_page}?existing=1")).await.text().contains("id=\"existing-draft\""));

    // This week, not over: provisional, and said so.
    let current = format!("{weekly}&date={today}");
    let made = send(&app, &supervisor, "POST", "/work/bulletins", Some(&current)).await;
    let location = made.headers[header::LOCATION].to_str().unwrap().to_string();
    let id = location.rsplit('/').next().unwrap().to_string();
    let draft = get(&app, &supervisor, &location).await.text();
    assert!(draft.contains("id=\"provisional\"") && draft.contains("id=\"provisional-badge\""), "{draft}");
    assert!(draft.contains("id=\"confirm-provisional\""), "publishing asks to confirm");
    // Publishing without the confirmation is refused, and nothing is public.
    let publish = format!("/work/bulletins/{id}/publish");
    let refused = send(&app, &supervisor, "POST", &publish, Some(&format!("_csrf={CSRF}"))).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "the confirmation is missing");
    assert!(refused.text().contains("统计周期尚未结束"), "{}", refused.text());
    assert_eq!(get(&app, "none", &format!("/bulletins/{id}")).await.status, StatusCode::NOT_FOUND);
    // Confirmed: published, and marked provisional on every view.
    let confirmed = send(&app, &supervisor, "POST", &publish, Some(&format!("_csrf={CSRF}&provisional=1"))).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.text());
    for view in [format!("/bulletins/{id}"), format!("/bulletins/{id}/print"), format!("/work/bulletins/{id}")] {
        let page = get(&app, "none", &view).await;
        let page = if page.status == StatusCode::OK { page } else { get(&app, &supervisor, &view).await };
        assert!(page.text().contains("临时通报（统计周期未结束）"), "{view}");
    }
    let index = get(&app, "none", "/bulletins").await.text();
    assert!(index.contains("临时通报"), "{index}");
    let xlsx = support::xlsx(&get(&app, "none", &format!("/bulletins/{id}/xlsx")).await.bytes).unwrap();
    assert!(xlsx[0].1.iter().any(|row| row[0] == "通报性质" && row[1].contains("临时通报")), "{:?}", xlsx[0].1);
    let data = get(&app, &supervisor, &format!("/api/v1/bulletins/{id}")).await.json();
    assert_eq!(data["provisional"].as_bool(), Some(true));
}

/// The cells of a ranking table's rows: rank, unit, then the ranked measures.
fn ranking_rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let table = html.split(&format!("id=\"{id}\"")).nth(1).unwrap().split("</table>").next().unwrap();
    let body = table.split("<tbody>").nth(1).unwrap();
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = cell.split_once('>').unwrap().1.split("</td>").next().unwrap();
                    let text: String = inner.split('<').map(|p| p.split_once('>').map_or(p, |(_, t)| t)).collect();
                    text.trim().to_string()
                })
                .collect()
        })
        .collect()
}

async fn rankings_weigh_every_rate_leave_thin_data_unranked_and_say_how_each_figure_is_computed(
    store: Store,
    _url: String,
) {
    let t = town(&store).await;
    let now = month_of_work(&store, &t).await;
    let hash = gongzhi_store::hash_password("admin-password").unwrap();
    store.add_user("admin", "区管理员", gongzhi_domain::Role::Admin, t.district, &hash).await.unwrap();
    store.add_user("admin_s1", "街道管理员", gongzhi_domain::Role::Admin, t.street, &hash).await.unwrap();
    let leader = store.create_api_token("leader_s1", "test").await.unwrap();
    let admin = store.create_api_token("admin", "test").await.unwrap();
    let street_admin = store.create_api_token("admin_s1", "test").await.unwrap();
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let today = time::local_date(now);
    let period = Period::custom(today - Duration::days(31), today + Duration::days(40)).unwrap();
    let scope = format!("unit={}&from={}&to={}", t.street, period.from, period.to);

    // A handful of verdicts per community: not enough to score either, so neither is
    // ranked, rather than one ranked last on the rates nobody could judge.
    let dashboard = get(&app, &leader, &format!("/work/dashboard?{scope}")).await.text();
    let rows = ranking_rows(&dashboard, "ranking");
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!((row[0].as_str(), row.last().unwrap().as_str()), ("—", "数据不足"), "{row:?}");
    }
    // Every figure says how it is computed: on hover, and in the notes beneath.
    for measure in Measure::ALL {
        assert!(dashboard.contains(&format!("id=\"how-{}\"", measure.as_str())), "{measure}");
    }
    let score = by_id(&dashboard, "how-composite_score");
    assert!(score.contains("响应率×20 + 办结率×20 + 解决率×30 + 满意率×30") && score.contains("不足 5 件"), "{score}");
    assert!(by_id(&dashboard, "how-closure_rate").contains("派单"));
    assert!(dashboard.contains("title=\"本期派单的诉求中"), "figure cards carry the explanation");
    for page in [get(&app, &leader, "/work/overview").await.text(), get(&app, "none", "/stats").await.text()] {
        assert!(page.contains("id=\"measure-notes\"") && page.contains("id=\"how-on_time_rate\""), "{page}");
    }

    // The district admin's scoring page: weigh the on-time rate too, and score from one.
    let form = get(&app, &admin, "/admin/settings").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    assert!(form.text().contains("id=\"weight-closure\"") && form.text().contains("id=\"minimum\""));
    let scoring = |minimum: &str| {
        format!("_csrf={CSRF}&response=20&closure=20&on_time=10&solved=30&satisfaction=30&minimum={minimum}")
    };
    let bad = send(&app, &admin, "POST", "/admin/settings", Some(&scoring("0"))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text().contains("评分设置有误")
            && bad.text().contains("name=\"on_time\" type=\"number\" min=\"0\" max=\"100\" step=\"any\" value=\"10\"")
    );
    let theirs = send(&app, &street_admin, "POST", "/admin/settings", Some(&scoring("1"))).await;
    assert!(theirs.text().contains("只有区级管理员"), "{}", theirs.text());
    let saved = send(&app, &admin, "POST", "/admin/settings", Some(&scoring("1"))).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let changes = get(&app, &admin, "/admin/changes").await.text();
    assert!(changes.contains("修改排名评分设置"));

    // Now both communities are scored with every weighed rate, and ranked.
    let dashboard = get(&app, &leader, &format!("/work/dashboard?{scope}")).await.text();
    let rows = ranking_rows(&dashboard, "ranking");
    let mut ranks: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    ranks.sort();
    assert!(ranks == ["1", "2"] || ranks == ["1", "1"], "{rows:?}");
    for row in &rows {
        let unit = if row[1] == "柳湾社区" { t.community } else { t.other_community };
        // The stats API's score, whose make-up the store's stories check.
        let m = stats(&app, &leader, unit, &period).await;
        assert!(!m.too_little_data && m.on_time_rate.is_some());
        assert_eq!(row.last().unwrap(), &display(Measure::CompositeScore, &m), "{row:?}");
    }
    assert!(by_id(&dashboard, "how-composite_score").contains("按时办结率×10"));
    let made_of = get(&app, &leader, &format!("/work/figures?{scope}&figure=composite_score")).await.text();
    assert!(made_of.contains("按时办结率 × 10") && made_of.contains("figure=closure_rate"), "{made_of}");
}

async fn enterprises_requests_have_their_own_section(store: Store, _url: String) {
    let t = town(&store).await;
    let resident = gongzhi_store::testing::manhole(t.community, None);
    store.create(resident, None, gongzhi_domain::Actor::Requester).await.unwrap();
    for title in ["厂区门口道路破损影响货车进出", "商铺门前井盖缺失"] {
        let mut shop = gongzhi_store::testing::manhole(t.community, None);
        shop.title = title.into();
        shop.requester_type = gongzhi_domain::RequesterType::Enterprise;
        store.create(shop, None, gongzhi_domain::Actor::Requester).await.unwrap();
    }
    let supervisor = store.create_api_token("supervisor", "test").await.unwrap();
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let today = time::local_date(time::now());
    let form = format!("_csrf={CSRF}&unit={}&kind=monthly&date={today}", t.district);
    let made = send(&app, &supervisor, "POST", "/work/bulletins", Some(&form)).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let location = made.headers[header::LOCATION].to_str().unwrap().to_string();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let bulletin = get(&app, &supervisor, &format!("/api/v1/bulletins/{id}")).await.json();
    let section = &bulletin["content"]["enterprises"];
    assert_eq!((section["received"].as_i64(), section["resolved"].as_i64()), (Some(2), Some(0)), "{section}");
    let page = get(&app, &supervisor, &location).await.text().replace("&#38;", "&");
    assert!(page.contains("营商环境"), "{page}");
    let list = format!("/work/search?unit={}&requester=enterprise&from=", t.district);
    assert!(page.contains(&list), "the section links to the requests it counts");
}
