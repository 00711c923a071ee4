//! The map's clusters on both databases: three thousand located requests in two places
//! of one subdistrict and some in another, grouped by grid cell in SQL with the right
//! counts, centroids and overdue counts, limited to the viewer's scope, and shown one by
//! one once few enough are in view.

use gongzhi_domain::geo::Point;
use gongzhi_domain::map::Viewport;
use gongzhi_domain::time::{self, DAY};
use gongzhi_domain::*;
use gongzhi_store::testing::{manhole, town};
use gongzhi_store::{on_both, Imported, MapFilter, MapView, Store};

on_both!(thousands_of_points_cluster_into_their_cells_in_the_viewers_scope);

/// Near 柳湾路, and a second place about 60 km away: one grid cell each at zoom 10.
const NEAR: (f64, f64) = (28.20, 112.90);
const FAR: (f64, f64) = (28.60, 113.40);

/// A request at `at` (spread within ±0.009° in a fixed pattern), in `status`.
fn located(unit: i64, path: &str, category: i64, n: usize, at: (f64, f64), status: Status, now: i64) -> Imported {
    let mut new = manhole(unit, Some(category));
    let spread = |k: usize| (k % 19) as f64 * 0.001 - 0.009;
    new.location = Some(Point { lat: at.0 + spread(n), long: at.1 + spread(n / 19) });
    let mut request = Request::submitted(new, path.to_string(), now - DAY);
    request.status = status;
    if matches!(status, Status::InProgress | Status::Closed) {
        request.assignee_unit_id = Some(unit);
        request.assignee_path = Some(path.to_string());
    }
    if status == Status::InProgress {
        // Every tenth past its deadline.
        request.resolve_by = Some(if n % 10 == 0 { now - DAY / 2 } else { now + 5 * DAY });
    }
    Imported { request, events: vec![] }
}

fn clusters(view: MapView) -> Vec<gongzhi_domain::map::Cluster> {
    match view {
        MapView::Clusters(mut clusters) => {
            clusters.sort_by(|a, b| b.count.cmp(&a.count));
            clusters
        }
        MapView::Points(points) => panic!("expected clusters, got {} points", points.len()),
    }
}

async fn thousands_of_points_cluster_into_their_cells_in_the_viewers_scope(store: Store, _url: String) {
    let t = town(&store).await;
    let other_street = store.add_unit(Some(t.district), UnitKind::Subdistrict, "S2", "白沙街道").await.unwrap();
    let other = store.add_unit(Some(other_street.id), UnitKind::Community, "C9", "白沙社区").await.unwrap();
    let (path, other_path) = (store.unit(t.community).await.unwrap().path, other.path.clone());
    let now = time::now();
    let mut batch = Vec::new();
    // Near: 1,500 waiting for intake, 500 in progress (50 of them overdue), and 100
    // closed that the map leaves out.
    for n in 0..1_500 {
        batch.push(located(t.community, &path, t.category, n, NEAR, Status::Submitted, now));
    }
    for n in 0..500 {
        batch.push(located(t.community, &path, t.category, n, NEAR, Status::InProgress, now));
    }
    for n in 0..100 {
        batch.push(located(t.community, &path, t.category, n, NEAR, Status::Closed, now));
    }
    // Far: 1,000 waiting; and 400 of another subdistrict in the same place as Near.
    for n in 0..1_000 {
        batch.push(located(t.community, &path, t.category, n, FAR, Status::Submitted, now));
    }
    for n in 0..400 {
        batch.push(located(other.id, &other_path, t.category, n, NEAR, Status::Submitted, now));
    }
    // And 50 with no coordinates at all.
    for _ in 0..50 {
        batch.push(Imported {
            request: Request::submitted(manhole(t.community, None), path.clone(), now),
            events: vec![],
        });
    }
    store.import(batch).await.unwrap();

    let both = Viewport::parse("112.5,28.0,113.5,28.8", "10").unwrap();
    let all = MapFilter::default();

    // The district's dispatcher sees every open located request, in two cells.
    let seen = clusters(store.map(&t.dispatcher, &both, &all, now).await.unwrap());
    assert_eq!(seen.iter().map(|c| (c.count, c.overdue)).collect::<Vec<_>>(), vec![(2_400, 50), (1_000, 0)]);
    // Each shown at the mean of its requests.
    assert!((seen[1].lat - FAR.0).abs() < 0.001 && (seen[1].long - FAR.1).abs() < 0.001, "{:?}", seen[1]);
    // And with the box they lie in.
    let [west, south, east, north] = seen[1].bounds;
    assert!((west - (FAR.1 - 0.009)).abs() < 1e-6 && (north - (FAR.0 + 0.009)).abs() < 1e-6, "{:?}", seen[1]);
    assert!(west < east && south < north);

    // The subdistrict's leader sees only their own.
    let theirs = clusters(store.map(&t.leader, &both, &all, now).await.unwrap());
    assert_eq!(theirs.iter().map(|c| (c.count, c.overdue)).collect::<Vec<_>>(), vec![(2_000, 50), (1_000, 0)]);

    // A viewport round Far alone.
    let far = Viewport::parse("113.3,28.5,113.5,28.7", "10").unwrap();
    assert_eq!(
        clusters(store.map(&t.leader, &far, &all, now).await.unwrap()).iter().map(|c| c.count).sum::<i64>(),
        1_000
    );

    // Zoomed in, the cells are finer: the same requests, in more groups.
    let closer = Viewport { zoom: 16, ..both };
    let fine = clusters(store.map(&t.leader, &closer, &all, now).await.unwrap());
    assert!(fine.len() > 20, "{} cells at zoom 16", fine.len());
    assert_eq!(fine.iter().map(|c| c.count).sum::<i64>(), 3_000);
    assert_eq!(fine.iter().map(|c| c.overdue).sum::<i64>(), 50);

    // Requests created since tomorrow: none.
    let later = MapFilter { since: Some(now + DAY), ..MapFilter::default() };
    assert_eq!(store.map(&t.leader, &both, &later, now).await.unwrap(), MapView::Points(vec![]));
    // Another category: none.
    let other_category = MapFilter { category_ids: vec![t.category + 1_000], ..MapFilter::default() };
    assert_eq!(store.map(&t.leader, &both, &other_category, now).await.unwrap(), MapView::Points(vec![]));

    // A small box holds few: each request, with its state and whether it is overdue.
    let corner = Viewport::parse("112.8905,28.1905,112.8925,28.1925", "18").unwrap();
    let MapView::Points(points) = store.map(&t.leader, &corner, &all, now).await.unwrap() else { panic!("points") };
    assert!(!points.is_empty() && points.len() <= 300, "{} points", points.len());
    assert!(points.iter().all(|p| p.lat >= 28.1905 && p.lat <= 28.1925 && p.long >= 112.8905 && p.long <= 112.8925));
    assert!(points.iter().all(|p| p.overdue == (p.status == Status::InProgress && p.overdue)));
    assert!(points.iter().any(|p| p.overdue), "some in the corner are overdue");
}
