//! Fresh databases for tests of this crate and the crates above it: one new SQLite file
//! or one new PostgreSQL database per call, migrated and ready.
//!
//! PostgreSQL is the server named by `GONGZHI_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each call creates its own database there.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor};

use gongzhi_domain::request::NewRequest;
use gongzhi_domain::role::Staff;
use gongzhi_domain::*;

use crate::{hash_password, Backend, Store};

mod work;
pub use work::{month_of_work, week_of_claims};

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A store on a new, empty database, and the URL it lives at.
pub async fn fresh(backend: Backend) -> (Store, String) {
    let url = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("gongzhi-tests");
            std::fs::create_dir_all(&dir).expect("create the test folder");
            format!("sqlite://{}", dir.join(format!("{}.db", unique("t"))).display())
        }
        Backend::Postgres => {
            sqlx::any::install_default_drivers();
            let admin = std::env::var("GONGZHI_TEST_POSTGRES")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            let name = unique("gongzhi_t");
            let mut conn =
                sqlx::AnyConnection::connect(&admin).await.expect("connect to PostgreSQL (set GONGZHI_TEST_POSTGRES)");
            conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create a test database");
            let base = admin.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin);
            format!("{base}/{name}")
        }
    };
    (Store::open(&url).await.expect("open the test database"), url)
}

/// Expands stories into one test per backend: `on_both!(story_a, story_b)` where each
/// story is `async fn(Store, String)` taking the store and its URL.
#[macro_export]
macro_rules! on_both {
    ($($story:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $story() {
                let (store, url) = $crate::testing::fresh($crate::Backend::Sqlite).await;
                super::$story(store, url).await
            })+
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $story() {
                let (store, url) = $crate::testing::fresh($crate::Backend::Postgres).await;
                super::$story(store, url).await
            })+
        }
    };
}

/// A district with one subdistrict of two communities and one department, and a user
/// for each role the stories need.
pub struct Town {
    pub district: i64,
    pub street: i64,
    pub community: i64,
    pub other_community: i64,
    pub department: i64,
    pub operator: Staff,
    pub dispatcher: Staff,
    pub handler: Staff,
    pub other_handler: Staff,
    pub leader: Staff,
    pub supervisor: Staff,
    pub category: i64,
}

pub async fn town(store: &Store) -> Town {
    use gongzhi_domain::unit::UnitKind;
    let district = store.add_unit(None, UnitKind::District, "D", "云溪区").await.expect("test setup");
    let street = store.add_unit(Some(district.id), UnitKind::Subdistrict, "S1", "青石街道").await.expect("test setup");
    let community = store.add_unit(Some(street.id), UnitKind::Community, "C1", "柳湾社区").await.expect("test setup");
    let other = store.add_unit(Some(street.id), UnitKind::Community, "C2", "桃源社区").await.expect("test setup");
    let department =
        store.add_unit(Some(district.id), UnitKind::Department, "ZJ", "区住建局").await.expect("test setup");
    let hash = hash_password("demo-password").expect("test setup");
    let user = |login: &'static str, role: Role, unit: i64| {
        let store = store.clone();
        let hash = hash.clone();
        async move { store.add_user(login, login, role, unit, &hash).await.unwrap().staff() }
    };
    let operator = user("operator", Role::Operator, district.id).await;
    let dispatcher = user("dispatcher", Role::Dispatcher, district.id).await;
    let handler = user("handler_c1", Role::Handler, community.id).await;
    let other_handler = user("handler_c2", Role::Handler, other.id).await;
    let leader = user("leader_s1", Role::Leader, street.id).await;
    let supervisor = user("supervisor", Role::Supervisor, district.id).await;
    let rows = vec![["城乡建设".to_string(), "市政设施".to_string(), "井盖".to_string()]];
    store.load_catalogue(&rows, |_| Some(department.id)).await.expect("test setup");
    let category = store.categories().await.unwrap().last().unwrap().id;
    Town {
        district: district.id,
        street: street.id,
        community: community.id,
        other_community: other.id,
        department: department.id,
        operator,
        dispatcher,
        handler,
        other_handler,
        leader,
        supervisor,
        category,
    }
}

pub fn manhole(unit_id: i64, category: Option<i64>) -> NewRequest {
    NewRequest {
        kind: Kind::Complaint,
        channel: Channel::Web,
        title: "柳湾社区井盖缺失".into(),
        content: "柳湾社区3栋门口井盖缺失一个多星期，晚上有老人差点踩空，请尽快补装。".into(),
        address: "柳湾路18号".into(),
        unit_id,
        category_id: category,
        urgent: false,
        requester_type: RequesterType::Resident,
        requester_name: "王女士".into(),
        requester_phone: "13812341234".into(),
        anonymous: false,
        location: None,
    }
}

pub fn staff(actor: &Staff) -> Actor {
    Actor::Staff(actor.clone())
}

/// A request raised by phone, accepted by the operator and dispatched to the unit it is in.
pub async fn dispatched(store: &Store, t: &Town, new: NewRequest) -> Request {
    let unit = new.unit_id;
    let r = store.create(new, None, staff(&t.operator)).await.expect("create");
    let r = store.act(r.request.id, None, Command::Accept, staff(&t.operator)).await.expect("accept");
    let dispatch = Command::Dispatch { unit_id: unit, co_unit_ids: vec![], instructions: String::new() };
    store.act(r.id, None, dispatch, staff(&t.dispatcher)).await.expect("dispatch")
}
