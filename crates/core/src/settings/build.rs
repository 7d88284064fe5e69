//! Turns a parsed client section into a validated [`ClientConfig`], resolving ids against what
//! is already stored.

use super::file::*;
use super::ClientSettings;
use crate::auth::password;
use crate::model::*;
use patchbay_api::products::{AvailabilityLocation, CustomerClass};
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;
use toml::Spanned;

pub const DEFAULT_SESSION_IDLE_MINUTES: i32 = 20;

/// A validation failure: where in the file (a byte offset) and what is wrong.
type Invalid = (Option<usize>, String);

fn at<T>(s: &Spanned<T>, message: String) -> Invalid {
    (Some(s.span().start), message)
}

/// Assigns ids: an explicit id wins; otherwise the id of the existing entity with the same
/// natural key; otherwise the next id after every id in use.
struct Ids {
    used: BTreeSet<i32>,
    existing: HashMap<String, i32>,
}

impl Ids {
    fn new(existing: impl Iterator<Item = (String, i32)>, explicit: impl Iterator<Item = Option<i32>>) -> Self {
        let existing: HashMap<String, i32> = existing.collect();
        let mut used: BTreeSet<i32> = existing.values().copied().collect();
        used.extend(explicit.flatten());
        Ids { used, existing }
    }

    fn assign(&mut self, explicit: Option<i32>, natural_key: &str) -> i32 {
        if let Some(id) = explicit {
            return id;
        }
        if let Some(&id) = self.existing.get(natural_key) {
            return id;
        }
        let id = self.used.iter().next_back().copied().unwrap_or(0) + 1;
        self.used.insert(id);
        id
    }
}

fn unique(kind: &str, ids: impl Iterator<Item = i32>) -> Result<(), Invalid> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err((None, format!("two {kind} have id {id}; ids must be unique within a client")));
        }
    }
    Ok(())
}

/// `name` and `text` are the file as given to apply: a product's or package's origin is
/// `"<name>:<line>"` of its table's header.
pub fn client_settings(
    section: &ClientSection,
    existing: &ClientConfig,
    name: &str,
    text: &str,
) -> Result<ClientSettings, Invalid> {
    let origin = |span: std::ops::Range<usize>| Some(format!("{name}:{}", super::line_of(text, span.start)));
    let code = section.code.get_ref();
    if code.is_empty()
        || code.len() > 40
        || !code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        return Err(at(
            &section.code,
            format!("client code {code:?} must be 1 to 40 characters of a-z, 0-9, '-' or '_'"),
        ));
    }
    let idle = match &section.session_idle_minutes {
        Some(m) if !(1..=10_080).contains(m.get_ref()) => {
            return Err(at(m, "session_idle_minutes must be between 1 and 10080 (a week)".into()))
        }
        Some(m) => *m.get_ref() as i32,
        None => DEFAULT_SESSION_IDLE_MINUTES,
    };
    let info = ClientInfo { code: code.clone(), name: section.name.clone(), session_idle_minutes: idle };

    let mut config = ClientConfig::default();

    for r in &section.roles {
        if r.allow.is_empty() {
            return Err((None, format!("client {code}: role {:?} allows no operation", r.name)));
        }
        config.roles.push(Role { name: r.name.clone(), allow: r.allow.clone() });
    }
    let role_names: BTreeSet<&str> =
        existing.roles.iter().map(|r| r.name.as_str()).chain(config.roles.iter().map(|r| r.name.as_str())).collect();

    config.bill_profiles = named(&section.bill_profiles, &existing.bill_profiles, "bill_profiles")?;
    config.product_categories = named(&section.product_categories, &existing.product_categories, "product_categories")?;
    config.line_types = named(&section.line_types, &existing.line_types, "line_types")?;
    {
        let mut ids = Ids::new(
            existing.unavailable_reasons.iter().map(|n| (n.name.clone(), n.id)),
            section.unavailable_reasons.iter().map(|e| e.id),
        );
        for e in &section.unavailable_reasons {
            config
                .unavailable_reasons
                .push(Named { id: ids.assign(e.id, &e.description), name: e.description.clone() });
        }
        unique("unavailable_reasons", config.unavailable_reasons.iter().map(|n| n.id))?;
    }
    {
        let mut ids = Ids::new(
            existing.custom_fields.iter().map(|f| (f.label.clone(), f.id)),
            section.custom_fields.iter().map(|e| e.id),
        );
        for e in &section.custom_fields {
            config.custom_fields.push(CustomFieldDef { id: ids.assign(e.id, &e.label), label: e.label.clone() });
        }
        unique("custom_fields", config.custom_fields.iter().map(|n| n.id))?;
    }
    {
        let mut ids = Ids::new(
            existing.product_types.iter().map(|t| (t.code.clone(), t.id)),
            section.product_types.iter().map(|e| e.id),
        );
        for e in &section.product_types {
            config.product_types.push(ProductType {
                id: ids.assign(e.id, &e.code),
                code: e.code.clone(),
                name: e.name.clone(),
                recurring: e.recurring,
                requires_shipping: e.requires_shipping,
            });
        }
        unique("product_types", config.product_types.iter().map(|n| n.id))?;
    }
    {
        let mut ids = Ids::new(
            existing.providers.iter().map(|p| (p.code.clone(), p.id)),
            section.providers.iter().map(|e| e.get_ref().id),
        );
        // Account ids are unique within the client: an order names an account by id alone.
        let mut account_ids: HashMap<i32, usize> = HashMap::new();
        for spanned in &section.providers {
            let e = spanned.get_ref();
            let mut accounts = Vec::new();
            let mut has_default = false;
            for a in &e.accounts {
                let a = a.get_ref();
                let id = *a.id.get_ref();
                if id < 1 {
                    return Err(at(&a.id, format!("provider {}: account id {id} must be 1 or more", e.code)));
                }
                if account_ids.insert(id, a.id.span().start).is_some() {
                    return Err(at(
                        &a.id,
                        format!(
                            "provider {}: account id {id} is taken; account ids must be unique within a client",
                            e.code
                        ),
                    ));
                }
                let default = a.default.as_ref().is_some_and(|d| *d.get_ref());
                if let Some(d) = a.default.as_ref().filter(|_| default) {
                    if has_default {
                        return Err(at(
                            d,
                            format!(
                                "provider {}: account {id} is a second default; at most one account is the default",
                                e.code
                            ),
                        ));
                    }
                    has_default = true;
                }
                accounts.push(ProviderAccount { id, name: a.name.clone(), default });
            }
            let adapter = e.adapter.get_ref().as_str();
            let adapter_settings = match adapter {
                "simulated" => toml_to_json(e.simulated.clone().unwrap_or_default()),
                "manual" => serde_json::json!({}),
                "webhook" => {
                    let mut table = e.webhook.clone().unwrap_or_default();
                    if let Some(url) = &e.url {
                        table.insert("url".into(), toml::Value::String(url.clone()));
                    }
                    match table.get("url").and_then(|u| u.as_str()) {
                        Some(u) if u.starts_with("http://") || u.starts_with("https://") => {}
                        _ => {
                            return Err(at(
                                spanned,
                                format!("provider {}: a webhook adapter needs url = \"http(s)://…\"", e.code),
                            ))
                        }
                    }
                    toml_to_json(table)
                }
                other => {
                    return Err(at(
                        &e.adapter,
                        format!("provider {}: adapter {other:?} is not one of simulated, manual, webhook", e.code),
                    ))
                }
            };
            config.providers.push(Provider {
                id: ids.assign(e.id, &e.code),
                code: e.code.clone(),
                name: e.name.clone(),
                wireless: e.wireless,
                provisionable: e.provisionable,
                adapter: adapter.to_string(),
                adapter_settings,
                accounts,
            });
        }
        unique("providers", config.providers.iter().map(|n| n.id))?;
        // Stored providers the file leaves alone keep their accounts.
        let written: BTreeSet<i32> = config.providers.iter().map(|p| p.id).collect();
        for other in existing.providers.iter().filter(|p| !written.contains(&p.id)) {
            for a in &other.accounts {
                if let Some(&offset) = account_ids.get(&a.id) {
                    return Err((
                        Some(offset),
                        format!(
                            "account id {} is taken by provider {}; account ids must be unique within a client",
                            a.id, other.code
                        ),
                    ));
                }
            }
        }
    }
    {
        let mut ids =
            Ids::new(existing.processes.iter().map(|p| (p.name.clone(), p.id)), section.processes.iter().map(|e| e.id));
        for e in &section.processes {
            config.processes.push(Process {
                id: ids.assign(e.id, &e.name),
                name: e.name.clone(),
                routes: e
                    .routes
                    .iter()
                    .map(|r| ProcessRoute { id: r.id, description: r.description.clone() })
                    .collect(),
            });
        }
        unique("processes", config.processes.iter().map(|n| n.id))?;
        unique("process routes", config.processes.iter().flat_map(|p| p.routes.iter().map(|r| r.id)))?;
    }

    // Everything a product or package may refer to: what is stored plus what this file adds.
    let known = |ours: Vec<i32>, theirs: Vec<i32>| -> BTreeSet<i32> { ours.into_iter().chain(theirs).collect() };
    let providers =
        known(config.providers.iter().map(|p| p.id).collect(), existing.providers.iter().map(|p| p.id).collect());
    let product_types = known(
        config.product_types.iter().map(|p| p.id).collect(),
        existing.product_types.iter().map(|p| p.id).collect(),
    );
    let bill_profiles = known(
        config.bill_profiles.iter().map(|p| p.id).collect(),
        existing.bill_profiles.iter().map(|p| p.id).collect(),
    );
    let line_types =
        known(config.line_types.iter().map(|p| p.id).collect(), existing.line_types.iter().map(|p| p.id).collect());
    let categories = known(
        config.product_categories.iter().map(|p| p.id).collect(),
        existing.product_categories.iter().map(|p| p.id).collect(),
    );
    let fields = known(
        config.custom_fields.iter().map(|p| p.id).collect(),
        existing.custom_fields.iter().map(|p| p.id).collect(),
    );

    {
        let mut ids = Ids::new(
            existing.products.iter().filter_map(|p| p.name.clone().map(|n| (n, p.id))),
            section.products.iter().map(|e| e.get_ref().id),
        );
        for spanned in &section.products {
            let e = spanned.get_ref();
            let label = e.name.clone().or_else(|| e.description.clone()).unwrap_or_default();
            let id = ids.assign(e.id, &label);
            let what = format!("product {id}");
            let must_exist = |set: &BTreeSet<i32>, r: &Spanned<i32>, kind: &str| -> Result<(), Invalid> {
                if set.contains(r.get_ref()) {
                    Ok(())
                } else {
                    Err(at(r, format!("{what} names {kind} {}, which does not exist", r.get_ref())))
                }
            };
            must_exist(&providers, &e.provider, "provider")?;
            must_exist(&product_types, &e.product_type, "product_type")?;
            for b in &e.bill_profiles {
                must_exist(&bill_profiles, b, "bill profile")?;
            }
            for l in &e.line_types {
                must_exist(&line_types, l, "line type")?;
            }
            if let Some(c) = &e.product_category {
                must_exist(&categories, c, "product_category")?;
            }
            for f in &e.fields {
                must_exist(&fields, &f.field_id, "custom field")?;
            }
            let money = |v: &Option<Spanned<String>>, key: &str| -> Result<Decimal, Invalid> {
                match v {
                    None => Ok(Decimal::ZERO),
                    Some(s) => Decimal::from_str(s.get_ref().trim()).map_err(|_| {
                        at(s, format!("{what}: {key} {:?} is not a decimal amount like \"35.00\"", s.get_ref()))
                    }),
                }
            };
            let rate = money(&e.rate, "rate")?;
            let cost = money(&e.cost, "cost")?;
            let state = match &e.state {
                None => None,
                Some(s) => {
                    let st = s.get_ref().trim().to_ascii_uppercase();
                    if !patchbay_zip::is_us_state(&st) {
                        return Err(at(
                            s,
                            format!("{what}: state {:?} is not a two-letter US state code", s.get_ref()),
                        ));
                    }
                    Some(st)
                }
            };
            let customer_class = match &e.customer_class {
                None => CustomerClass::All,
                Some(s) => match s.get_ref().as_str() {
                    "All" => CustomerClass::All,
                    "Business" => CustomerClass::Business,
                    "Residential" => CustomerClass::Residential,
                    other => {
                        return Err(at(
                            s,
                            format!("{what}: customer_class {other:?} is not one of All, Business, Residential"),
                        ))
                    }
                },
            };
            let mut availability = Vec::new();
            for a in &e.available_on {
                let loc: AvailabilityLocation = serde_json::from_value(serde_json::Value::String(a.get_ref().clone()))
                    .map_err(|_| {
                        at(a, format!(
                            "{what}: available_on {:?} is not one of Available_On_Agent_Portal_Flag, Available_Auto_Recharge, Available_BillCenter, Available_Replenish, Available_On_Signup_Flag",
                            a.get_ref()
                        ))
                    })?;
                availability.push(loc);
            }
            let mut attributes = Vec::new();
            for (k, v) in &e.attributes {
                let v = match v {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                attributes.push((k.clone(), v));
            }
            let provisionable = config
                .providers
                .iter()
                .chain(existing.providers.iter())
                .find(|p| p.id == *e.provider.get_ref())
                .map(|p| p.provisionable)
                .unwrap_or(false);
            config.products.push(Product {
                id,
                provider_id: *e.provider.get_ref(),
                product_type_id: *e.product_type.get_ref(),
                name: e.name.clone(),
                description: e.description.clone(),
                wholesale_description: e.wholesale_description.clone(),
                code1: e.code1.clone(),
                code2: e.code2.clone(),
                rate,
                cost,
                free_months: e.free_months,
                automatic_expiration: e.automatic_expiration,
                billing_months: e.billing_months,
                state,
                bill_in_arrears: e.bill_in_arrears,
                prorate: e.prorate,
                product_category_id: e.product_category.as_ref().map(|c| *c.get_ref()),
                order_completion_billing: e.order_completion_billing,
                creates_order: e.creates_order.unwrap_or(provisionable),
                active: e.active.unwrap_or(true),
                customer_class,
                bill_profiles: e.bill_profiles.iter().map(|b| *b.get_ref()).collect(),
                line_types: e.line_types.iter().map(|b| *b.get_ref()).collect(),
                attributes,
                availability,
                wireless: e.wireless.as_ref().map(|w| Wireless {
                    voice: w.voice,
                    sms: w.sms,
                    data: w.data,
                    allowances: w
                        .allowances
                        .iter()
                        .map(|a| Allowance {
                            quantity: a.quantity,
                            expiration_days: a.expiration_days,
                            nights_weekends: a.nights_weekends,
                            unlimited: a.unlimited,
                        })
                        .collect(),
                }),
                fields: e
                    .fields
                    .iter()
                    .map(|f| FieldValue { field_id: *f.field_id.get_ref(), value: f.value.clone() })
                    .collect(),
                origin: origin(spanned.span()),
            });
        }
        unique("products", config.products.iter().map(|n| n.id))?;
    }

    let products: BTreeSet<i32> =
        config.products.iter().map(|p| p.id).chain(existing.products.iter().map(|p| p.id)).collect();
    {
        let mut ids = Ids::new(
            existing.packages.iter().map(|p| (p.name.clone(), p.id)),
            section.packages.iter().map(|e| e.get_ref().id),
        );
        for spanned in &section.packages {
            let e = spanned.get_ref();
            let id = ids.assign(e.id, &e.name);
            if !providers.contains(e.provider.get_ref()) {
                return Err(at(
                    &e.provider,
                    format!("package {id} names provider {}, which does not exist", e.provider.get_ref()),
                ));
            }
            if let Some(l) = &e.line_type {
                if !line_types.contains(l.get_ref()) {
                    return Err(at(l, format!("package {id} names line type {}, which does not exist", l.get_ref())));
                }
            }
            for p in &e.products {
                if !products.contains(p.get_ref()) {
                    return Err(at(p, format!("package {id} names product {}, which does not exist", p.get_ref())));
                }
            }
            config.packages.push(Package {
                id,
                name: e.name.clone(),
                provider_id: *e.provider.get_ref(),
                line_type_id: e.line_type.as_ref().map(|l| *l.get_ref()),
                products: e.products.iter().map(|p| *p.get_ref()).collect(),
                origin: origin(spanned.span()),
            });
        }
        unique("packages", config.packages.iter().map(|n| n.id))?;
    }

    for spanned in &section.webhooks {
        let e = spanned.get_ref();
        if !(e.url.starts_with("http://") || e.url.starts_with("https://")) {
            return Err(at(spanned, format!("webhook {:?}: url must be http(s)://…", e.url)));
        }
        if e.secret.is_empty() {
            return Err(at(spanned, format!("webhook {}: the secret that signs its events is empty", e.url)));
        }
        if e.events.is_empty() {
            return Err(at(spanned, format!("webhook {}: events must name at least one event, or \"*\"", e.url)));
        }
        for name in &e.events {
            let n = name.get_ref().as_str();
            if n != "*" && !crate::flow::EVENT_NAMES.contains(&n) {
                return Err(at(
                    name,
                    format!(
                        "webhook {}: {n:?} is not an event; events are {}",
                        e.url,
                        crate::flow::EVENT_NAMES.join(", ")
                    ),
                ));
            }
        }
        if config.webhooks.iter().any(|w| w.url == e.url) {
            return Err(at(spanned, format!("webhook {} is given twice", e.url)));
        }
        config.webhooks.push(WebhookSubscriber {
            url: e.url.clone(),
            secret: e.secret.clone(),
            events: e.events.iter().map(|n| n.get_ref().clone()).collect(),
        });
    }

    {
        let mut ids = Ids::new(
            existing.users.iter().map(|u| (u.username.clone(), u.id)),
            section.users.iter().map(|e| e.get_ref().id),
        );
        for spanned in &section.users {
            let e = spanned.get_ref();
            if !role_names.contains(e.role.get_ref().as_str()) {
                return Err(at(
                    &e.role,
                    format!("user {} has role {:?}, which is not defined", e.username, e.role.get_ref()),
                ));
            }
            let id = ids.assign(e.id, &e.username);
            if id == crate::audit::SYSTEM_USER_ID {
                return Err(at(
                    spanned,
                    format!("user {}: id {id} is the system's in audit records; give users ids from 1", e.username),
                ));
            }
            let stored = existing.users.iter().find(|u| u.id == id);
            let password_hash = match (&e.password, &e.password_hash) {
                (Some(_), Some(h)) => {
                    return Err(at(h, format!("user {}: give password or password_hash, not both", e.username)))
                }
                (None, None) => {
                    return Err(at(spanned, format!("user {}: needs password or password_hash", e.username)))
                }
                (None, Some(h)) => {
                    if !password::is_argon2id_phc(h.get_ref()) {
                        return Err(at(
                            h,
                            format!("user {}: password_hash must be an argon2id PHC string ($argon2id$…)", e.username),
                        ));
                    }
                    h.get_ref().clone()
                }
                (Some(plain), None) => {
                    if plain.chars().count() < 8 {
                        return Err(at(
                            spanned,
                            format!("user {}: password must be at least 8 characters", e.username),
                        ));
                    }
                    // Keep the stored hash when it already matches, so re-applying the same
                    // file changes nothing (a fresh hash would differ by its salt).
                    match stored {
                        Some(u) if password::verify(plain, &u.password_hash) => u.password_hash.clone(),
                        _ => password::hash(plain),
                    }
                }
            };
            config.users.push(User {
                id,
                username: e.username.clone(),
                password_hash,
                role: e.role.get_ref().clone(),
                agent_id: e.agent_id,
                agent_number: e.agent_number.clone(),
            });
        }
        unique("users", config.users.iter().map(|n| n.id))?;
        let mut names = BTreeSet::new();
        for u in &config.users {
            if !names.insert(u.username.to_lowercase()) {
                return Err((None, format!("client {code}: two users are named {:?}", u.username)));
            }
        }
    }

    Ok(ClientSettings { info, config })
}

fn named(entries: &[NamedEntry], existing: &[Named], kind: &str) -> Result<Vec<Named>, Invalid> {
    let mut ids = Ids::new(existing.iter().map(|n| (n.name.clone(), n.id)), entries.iter().map(|e| e.id));
    let out: Vec<Named> =
        entries.iter().map(|e| Named { id: ids.assign(e.id, &e.name), name: e.name.clone() }).collect();
    unique(kind, out.iter().map(|n| n.id))?;
    Ok(out)
}

fn toml_to_json(table: toml::Table) -> serde_json::Value {
    serde_json::to_value(table).unwrap_or_default()
}

/// The entities of `desired` that differ from what is stored.
pub fn changes(desired: &ClientConfig, existing: &ClientConfig) -> ClientConfig {
    fn diff<T: Clone + PartialEq>(want: &[T], have: &[T]) -> Vec<T> {
        want.iter().filter(|w| !have.contains(w)).cloned().collect()
    }
    ClientConfig {
        roles: diff(&desired.roles, &existing.roles),
        users: diff(&desired.users, &existing.users),
        bill_profiles: diff(&desired.bill_profiles, &existing.bill_profiles),
        product_categories: diff(&desired.product_categories, &existing.product_categories),
        line_types: diff(&desired.line_types, &existing.line_types),
        product_types: diff(&desired.product_types, &existing.product_types),
        providers: diff(&desired.providers, &existing.providers),
        processes: diff(&desired.processes, &existing.processes),
        unavailable_reasons: diff(&desired.unavailable_reasons, &existing.unavailable_reasons),
        custom_fields: diff(&desired.custom_fields, &existing.custom_fields),
        products: diff(&desired.products, &existing.products),
        packages: diff(&desired.packages, &existing.packages),
        webhooks: diff(&desired.webhooks, &existing.webhooks),
    }
}

impl ClientConfig {
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
            && self.users.is_empty()
            && self.bill_profiles.is_empty()
            && self.product_categories.is_empty()
            && self.line_types.is_empty()
            && self.product_types.is_empty()
            && self.providers.is_empty()
            && self.processes.is_empty()
            && self.unavailable_reasons.is_empty()
            && self.custom_fields.is_empty()
            && self.products.is_empty()
            && self.packages.is_empty()
            && self.webhooks.is_empty()
    }
}
