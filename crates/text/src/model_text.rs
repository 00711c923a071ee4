//! A routing model as one string, for keeping it in a database: every app instance then
//! serves the same model and a restart keeps it.
//!
//! The model's own file format (`RoutingModel::save` / `load`) stays the one way a model
//! is written; this passes it through a private temporary file rather than keeping a
//! second encoding that could drift from the first.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Result, TextError};
use crate::route::RoutingModel;

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A file name no other call, thread or process uses.
fn scratch_path() -> PathBuf {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("gongzhi-model-{}-{n}-{nanos}.json", std::process::id()))
}

/// Removes the scratch file whatever happens in between.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The model in its file format (JSON).
pub fn to_json(model: &RoutingModel) -> Result<String> {
    let scratch = Scratch(scratch_path());
    model.save(&scratch.0)?;
    std::fs::read_to_string(&scratch.0).map_err(|source| TextError::Io { path: scratch.0.clone(), source })
}

/// A model from what [`to_json`] gave.
pub fn from_json(json: &str) -> Result<RoutingModel> {
    let scratch = Scratch(scratch_path());
    std::fs::write(&scratch.0, json).map_err(|source| TextError::Io { path: scratch.0.clone(), source })?;
    RoutingModel::load(&scratch.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::{Example, RouteConfig};

    #[test]
    fn a_model_survives_the_round_trip_through_text() {
        let texts = [
            ("小区井盖缺失，晚上有人差点踩空", "城乡建设"),
            ("路灯坏了很久，井盖也松动", "城乡建设"),
            ("楼道堆放杂物，物业不管，井盖破损", "城乡建设"),
            ("公司拖欠工资三个月，社保也没交", "劳动和社会保障"),
            ("工地老板欠薪不还，请求帮助讨薪", "劳动和社会保障"),
            ("工资被拖欠，社保断缴，劳动合同不签", "劳动和社会保障"),
        ];
        let examples: Vec<Example> = texts.iter().map(|(text, label)| Example { title: None, text, label }).collect();
        let config = RouteConfig { min_df: 1, ..RouteConfig::default() };
        let mut model = RoutingModel::train(&examples, &config).unwrap();
        model.learn_units([("城乡建设", "17"), ("劳动和社会保障", "23")]);
        let json = to_json(&model).unwrap();
        let back = from_json(&json).unwrap();
        assert_eq!(back.labels(), model.labels());
        assert_eq!(back.unit_for("劳动和社会保障"), Some("23"));
        let text = "老板拖欠工资不给";
        assert_eq!(back.predict(None, text, 0).label, model.predict(None, text, 0).label);
        assert!(from_json("{\"format\": \"something else\"}").is_err());
    }
}
