//! Generic resource lists (`/subscriptions/{s}/resources`, `.../resourceGroups/{rg}/resources`):
//! every stored resource, whatever its kind, as id, name, type, location and tags.

use crate::records::{list_page, list_scope};
use crate::{App, AppError, Page};
use cerulean_domain::filter::ResourceFilter;
use cerulean_domain::id::{fold, ResourceId};
use cerulean_domain::kind::RESOURCE_GROUP;
use cerulean_domain::tags::Tags;
use cerulean_store::Record;

#[derive(Clone, Debug)]
pub struct GenericResource {
    pub id: String,
    pub name: String,
    pub type_path: String,
    pub location: String,
    pub tags: Tags,
}

/// Tags live in each kind's body under `common`; a body without them has none.
fn tags_of(rec: &Record) -> Tags {
    serde_json::from_str::<serde_json::Value>(&rec.body)
        .ok()
        .and_then(|v| serde_json::from_value(v["common"]["tags"].clone()).ok())
        .unwrap_or_default()
}

impl App {
    pub async fn list_resources(
        &self,
        subscription: &str,
        group: Option<&str>,
        filter: Option<ResourceFilter>,
        after: Option<String>,
    ) -> Result<Page<GenericResource>, AppError> {
        self.subscription(subscription).await?;
        let sub = fold(subscription);
        let group_id = group.map(|g| ResourceId::group(subscription, g));
        let limit = self.config.page_size;
        cerulean_store::read(&*self.store, move |tx| {
            let scope = list_scope(tx, group_id.as_ref(), &sub)?;
            let keep = |r: &Record| -> Result<bool, AppError> {
                if r.kind == RESOURCE_GROUP
                    || r.kind == cerulean_domain::deployment::KIND
                    || r.kind == cerulean_domain::deployment::OPERATION_KIND
                    || r.kind == cerulean_domain::deployment::TEMPLATE_KIND
                {
                    return Ok(false);
                }
                let Some(f) = &filter else { return Ok(true) };
                let id = ResourceId::parse(&r.id)?;
                Ok(f.matches(
                    &id.type_path(),
                    id.name(),
                    id.group_name().unwrap_or_default(),
                    r.location.as_deref().unwrap_or_default(),
                    &tags_of(r),
                ))
            };
            let page = list_page(tx, scope, None, after.as_deref(), limit, &keep)?;
            let items = page
                .items
                .iter()
                .map(|r| {
                    let id = ResourceId::parse(&r.id)?;
                    Ok(GenericResource {
                        id: r.id.clone(),
                        name: id.name().to_string(),
                        type_path: id.type_path(),
                        location: r.location.clone().unwrap_or_default(),
                        tags: tags_of(r),
                    })
                })
                .collect::<Result<_, AppError>>()?;
            Ok(Page {
                items,
                next: page.next,
            })
        })
        .await
    }
}
