//! `catalogue.json`: the settings and every entry with its facets and fields,
//! for sites that embed or re-use the catalogue.

use serde::Serialize;

use crate::model::{Catalogue, Entry};
use crate::routes;

/// `catalogue.json`: settings and every entry with its facets and fields.
pub fn catalogue_json(c: &Catalogue) -> Vec<u8> {
    use serde_json::{json, Map, Value};
    let config = &c.config;
    let facets: Map<String, Value> = config
        .facets
        .iter()
        .map(|f| {
            let values: Vec<Value> = f
                .values
                .iter()
                .map(|v| {
                    json!({
                        "id": v.id,
                        "label": v.label,
                        "parent": v.parent.map(|p| f.values[p].id.clone()),
                    })
                })
                .collect();
            (
                f.name.clone(),
                json!({ "label": f.label, "values": values }),
            )
        })
        .collect();
    let kinds: Vec<Value> = config
        .kinds
        .iter()
        .map(|k| json!({ "id": k.id, "label": k.label, "dir": k.dir }))
        .collect();
    let doc = CatalogueJson {
        title: &config.title,
        base_url: &config.base_url,
        kinds,
        facets,
        entries: EntriesJson(c),
    };
    let mut bytes = Vec::with_capacity(c.entries.len() * 1024);
    serde_json::to_writer_pretty(&mut bytes, &doc).expect("JSON values always serialise");
    bytes.push(b'\n');
    bytes
}

/// The document of `catalogue.json`, its keys in this order.
#[derive(Serialize)]
struct CatalogueJson<'a> {
    title: &'a str,
    base_url: &'a str,
    kinds: Vec<serde_json::Value>,
    facets: serde_json::Map<String, serde_json::Value>,
    entries: EntriesJson<'a>,
}

/// The entries of `catalogue.json`, each built just before it is written, so
/// the whole catalogue never sits in memory as JSON values at once.
struct EntriesJson<'a>(&'a Catalogue);

impl Serialize for EntriesJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let c = self.0;
        let mut seq = serializer.serialize_seq(Some(c.entries.len()))?;
        for e in &c.entries {
            seq.serialize_element(&entry_json(c, e))?;
        }
        seq.end()
    }
}

/// One entry of `catalogue.json`.
fn entry_json(c: &Catalogue, e: &Entry) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let config = &c.config;
    let mut obj = Map::new();
    obj.insert("id".into(), json!(e.id));
    obj.insert("kind".into(), json!(config.kinds[e.kind].id));
    obj.insert("title".into(), json!(e.title));
    obj.insert(
        "url".into(),
        json!(format!("{}{}", config.base_url, routes::entry_url(c, e))),
    );
    for (fi, facet) in config.facets.iter().enumerate() {
        let ids: Vec<&str> = e.facets[fi]
            .iter()
            .map(|&v| facet.values[v].id.as_str())
            .collect();
        obj.insert(facet.name.clone(), json!(ids));
    }
    let related: Vec<&str> = e
        .related
        .iter()
        .map(|&r| c.entries[r].id.as_str())
        .collect();
    obj.insert("related".into(), json!(related));
    obj.insert("fields".into(), Value::Object(e.fields.clone()));
    Value::Object(obj)
}
