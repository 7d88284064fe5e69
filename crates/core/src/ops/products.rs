//! The product catalog: Products_Create, Products_Query, Products_Update, and the extension
//! Catalog_Query.

use super::validate;
use crate::engine::{Ctx, Handler};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::model::{Allowance, ClientConfig, Product, Wireless};
use async_trait::async_trait;
use patchbay_api::common::Empty;
use patchbay_api::ops::{CatalogQuery, ProductsCreate, ProductsQuery, ProductsUpdate};
use patchbay_api::products::*;
use rust_decimal::Decimal;

#[async_trait]
impl Handler for ProductsCreate {
    async fn handle(ctx: &Ctx, input: ProductsCreateInput) -> ApiResult<ProductsCreateOutput> {
        if input.id.is_some() {
            return Err(ApiError::invalid("ID", "must be left out (or nil) on Products_Create; the server assigns it"));
        }
        let config = ctx.config();
        let f = &input;
        let provider_id = f.carrier_id.ok_or_else(|| ApiError::invalid("CarrierID", "is required"))?;
        let product_type_id = f.product_type_id.ok_or_else(|| ApiError::invalid("ProductTypeID", "is required"))?;
        let provider = config
            .providers
            .iter()
            .find(|p| p.id == provider_id)
            .ok_or_else(|| ApiError::not_found(ErrorCode::ProviderNotFound, "Provider", provider_id))?;
        let mut product = Product {
            id: 0,
            provider_id,
            product_type_id,
            name: None,
            description: None,
            wholesale_description: None,
            code1: None,
            code2: None,
            rate: Decimal::ZERO,
            cost: Decimal::ZERO,
            free_months: None,
            automatic_expiration: None,
            billing_months: None,
            state: None,
            bill_in_arrears: false,
            prorate: false,
            product_category_id: None,
            order_completion_billing: false,
            creates_order: provider.provisionable,
            active: true,
            customer_class: CustomerClass::All,
            bill_profiles: vec![],
            line_types: vec![],
            attributes: vec![],
            availability: vec![],
            wireless: None,
            fields: vec![],
            // Made through the API: no settings file defines it.
            origin: None,
        };
        apply_fields(config, &mut product, f)?;
        let mut tx = ctx.db().begin().await?;
        product.id = tx.next_id("product").await?;
        tx.put_product(&product).await?;
        ctx.audit(&mut *tx, "product", &[i64::from(product.id)]).await?;
        tx.commit().await?;
        Ok(ProductsCreateOutput { product_id: product.id })
    }
}

#[async_trait]
impl Handler for ProductsUpdate {
    async fn handle(ctx: &Ctx, input: ProductsUpdateInput) -> ApiResult<Empty> {
        let id = input.id.ok_or_else(|| ApiError::invalid("ID", "is required"))?;
        if input.carrier_id.is_none() {
            return Err(ApiError::invalid("CarrierID", "is required"));
        }
        if input.product_type_id.is_none() {
            return Err(ApiError::invalid("ProductTypeID", "is required"));
        }
        let config = ctx.config();
        // The stored product, origin and all: an update through the API does not make a
        // product defined in a settings file any less so (the next apply of that file puts
        // the file's fields back).
        let mut product = config
            .products
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(ErrorCode::ProductNotFound, "Product", id))?;
        apply_fields(config, &mut product, &input)?;
        let mut tx = ctx.db().begin().await?;
        tx.put_product(&product).await?;
        ctx.audit(&mut *tx, "product", &[i64::from(id)]).await?;
        tx.commit().await?;
        Ok(Empty {})
    }
}

/// Applies every given field to the product; a field that is absent (or nil) keeps its value.
/// Shared by create (over the defaults) and update (over the stored product).
fn apply_fields(config: &ClientConfig, p: &mut Product, f: &ProductInput) -> ApiResult<()> {
    if let Some(id) = f.carrier_id {
        if config.provider(id).is_none() {
            return Err(ApiError::not_found(ErrorCode::ProviderNotFound, "Provider", id));
        }
        p.provider_id = id;
    }
    if let Some(id) = f.product_type_id {
        if !config.product_types.iter().any(|x| x.id == id) {
            return Err(ApiError::not_found(ErrorCode::ProductTypeNotFound, "Product Type", id));
        }
        p.product_type_id = id;
    }
    let text = |v: &Option<String>, slot: &mut Option<String>| {
        if let Some(v) = v {
            *slot = Some(v.clone());
        }
    };
    text(&f.name, &mut p.name);
    text(&f.description, &mut p.description);
    text(&f.wholesale_description, &mut p.wholesale_description);
    text(&f.code1, &mut p.code1);
    text(&f.code2, &mut p.code2);
    if let Some(r) = f.rate {
        p.rate = validate::money("Rate", r)?;
    }
    if let Some(c) = f.cost {
        p.cost = validate::money("Cost", c)?;
    }
    if f.free_months.is_some() {
        p.free_months = validate::non_negative("FreeMonths", f.free_months)?;
    }
    if f.automatic_expiration.is_some() {
        p.automatic_expiration = validate::non_negative("AutomaticExpiration", f.automatic_expiration)?;
    }
    if f.billing_months.is_some() {
        p.billing_months = validate::non_negative("BillingMonths", f.billing_months)?;
    }
    if let Some(s) = &f.state {
        // An empty State sells the product everywhere again.
        p.state = if s.trim().is_empty() { None } else { Some(validate::us_state("State", s)?) };
    }
    if let Some(b) = f.bill_in_arrears {
        p.bill_in_arrears = b;
    }
    if let Some(b) = f.prorate {
        p.prorate = b;
    }
    if let Some(id) = f.product_category_id {
        // 0 clears the G/L code.
        p.product_category_id = if id == 0 {
            None
        } else if config.product_categories.iter().any(|c| c.id == id) {
            Some(id)
        } else {
            return Err(ApiError::invalid("ProductCategoryID", format!("no product category (G/L code) has id {id}")));
        };
    }
    if let Some(b) = f.order_completion_billing {
        p.order_completion_billing = b;
    }
    if let Some(b) = f.creates_order {
        p.creates_order = b;
    }
    if let Some(b) = f.active_flag {
        p.active = b;
    }
    if let Some(c) = f.customer_class {
        p.customer_class = c;
    }
    if let Some(fields) = &f.fields {
        p.fields = validate::fields("Fields", fields, &config.custom_fields)?;
    }
    if let Some(ids) = &f.bill_profile_ids {
        for &id in ids {
            if !config.bill_profiles.iter().any(|b| b.id == id) {
                return Err(ApiError::not_found(ErrorCode::BillProfileNotFound, "Bill Profile", id));
            }
        }
        p.bill_profiles = dedup(ids);
    }
    if let Some(ids) = &f.line_type_ids {
        for &id in ids {
            if !config.line_types.iter().any(|b| b.id == id) {
                return Err(ApiError::not_found(ErrorCode::ServiceTypeNotFound, "Service type", id));
            }
        }
        p.line_types = dedup(ids);
    }
    if let Some(attrs) = &f.attributes {
        let mut out: Vec<(String, String)> = Vec::new();
        for (i, a) in attrs.iter().enumerate() {
            if a.key.trim().is_empty() {
                return Err(ApiError::invalid(&format!("Attributes/Attribute[{}]/Key", i + 1), "must not be empty"));
            }
            if out.iter().any(|(k, _)| *k == a.key) {
                return Err(ApiError::invalid(
                    &format!("Attributes/Attribute[{}]/Key", i + 1),
                    format!("{:?} is given twice", a.key),
                ));
            }
            out.push((a.key.clone(), a.value.clone()));
        }
        p.attributes = out;
    }
    if let Some(locs) = &f.availability_locations {
        let mut out = Vec::new();
        for l in locs {
            if !out.contains(l) {
                out.push(*l);
            }
        }
        p.availability = out;
    }
    if let Some(w) = &f.wireless {
        let current = p.wireless.clone().unwrap_or_default();
        let allowances = match &w.allowances {
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let at = format!("Wireless/Allowances/WirelessProductAllowance[{}]", i + 1);
                    Ok(Allowance {
                        quantity: validate::non_negative(&format!("{at}/Quantity"), a.quantity)?,
                        expiration_days: validate::non_negative(&format!("{at}/Expiration_Days"), a.expiration_days)?,
                        nights_weekends: a.nights_weekends_flag.unwrap_or(false),
                        unlimited: a.unlimited_flag.unwrap_or(false),
                    })
                })
                .collect::<ApiResult<Vec<_>>>()?,
            None => current.allowances,
        };
        p.wireless = Some(Wireless {
            voice: w.voice_flag.unwrap_or(current.voice),
            sms: w.sms_flag.unwrap_or(current.sms),
            data: w.data_flag.unwrap_or(current.data),
            allowances,
        });
    }
    Ok(())
}

fn dedup(ids: &[i32]) -> Vec<i32> {
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

#[async_trait]
impl Handler for ProductsQuery {
    async fn handle(ctx: &Ctx, q: ProductsQueryInput) -> ApiResult<ProductsQueryOutput> {
        let config = ctx.config();
        let filter = Filter::new(config, &q)?;
        let products = config.products.iter().filter(|p| filter.keeps(config, p)).map(|p| item(config, p)).collect();
        Ok(ProductsQueryOutput { products })
    }
}

/// Every product (active or not, whatever its provider) and every package, from the cached
/// configuration, each with its origin.
#[async_trait]
impl Handler for CatalogQuery {
    async fn handle(ctx: &Ctx, _: CatalogQueryInput) -> ApiResult<CatalogQueryOutput> {
        let config = ctx.config();
        let provider_code = |id: i32| config.provider(id).map(|x| x.code.clone()).unwrap_or_default();
        let products = config
            .products
            .iter()
            .map(|p| CatalogProduct {
                product_id: p.id,
                name: p.name.clone(),
                code1: p.code1.clone(),
                carrier_id: p.provider_id,
                carrier_code: provider_code(p.provider_id),
                product_type_code: config.product_type(p.product_type_id).map(|t| t.code.clone()).unwrap_or_default(),
                rate: validate::money_out(p.rate),
                active_flag: p.active,
                origin: p.origin.clone(),
            })
            .collect();
        let packages = config
            .packages
            .iter()
            .map(|k| CatalogPackage {
                package_id: k.id,
                name: k.name.clone(),
                carrier_id: k.provider_id,
                carrier_code: provider_code(k.provider_id),
                line_type_id: k.line_type_id,
                line_type_name: k
                    .line_type_id
                    .and_then(|id| config.line_types.iter().find(|t| t.id == id))
                    .map(|t| t.name.clone()),
                products: k
                    .products
                    .iter()
                    .map(|&id| CatalogPackageProduct {
                        product_id: id,
                        name: config.product(id).and_then(|p| p.name.clone()),
                    })
                    .collect(),
                origin: k.origin.clone(),
            })
            .collect();
        Ok(CatalogQueryOutput { products, packages })
    }
}

/// A Products_Query request, checked and resolved against the configuration.
struct Filter<'a> {
    q: &'a ProductsQueryInput,
    provider_id: Option<i32>,
    product_type_id: Option<i32>,
    /// From State and from the Zip's state; a product sold in one state must match both.
    states: Vec<String>,
}

impl<'a> Filter<'a> {
    fn new(config: &ClientConfig, q: &'a ProductsQueryInput) -> ApiResult<Self> {
        if let Some(id) = q.product_id {
            if !config.products.iter().any(|p| p.id == id) {
                return Err(ApiError::not_found(ErrorCode::ProductNotFound, "Product", id));
            }
        }
        let provider_id = match (q.carrier_id, q.carrier_code.as_deref()) {
            (Some(_), Some(_)) => return Err(ApiError::invalid("CarrierCode", "cannot be used with CarrierID")),
            (Some(id), None) => Some(
                config
                    .providers
                    .iter()
                    .find(|p| p.id == id)
                    .ok_or_else(|| ApiError::not_found(ErrorCode::ProviderNotFound, "Provider", id))?
                    .id,
            ),
            (None, Some(code)) => Some(
                config
                    .providers
                    .iter()
                    .find(|p| p.code.eq_ignore_ascii_case(code))
                    .ok_or_else(|| ApiError::not_found(ErrorCode::ProviderNotFound, "Provider", code))?
                    .id,
            ),
            (None, None) => None,
        };
        let product_type_id = match (q.product_type_id, q.product_type_code.as_deref()) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid("ProductTypeCode", "cannot be used with ProductTypeID"))
            }
            (Some(id), None) => Some(
                config
                    .product_types
                    .iter()
                    .find(|t| t.id == id)
                    .ok_or_else(|| ApiError::not_found(ErrorCode::ProductTypeNotFound, "Product Type", id))?
                    .id,
            ),
            (None, Some(code)) => Some(
                config
                    .product_types
                    .iter()
                    .find(|t| t.code.eq_ignore_ascii_case(code))
                    .ok_or_else(|| ApiError::not_found(ErrorCode::ProductTypeNotFound, "Product Type", code))?
                    .id,
            ),
            (None, None) => None,
        };
        if q.attribute_value.is_some() && q.attribute_key.is_none() {
            return Err(ApiError::invalid("AttributeValue", "needs AttributeKey"));
        }
        if let Some(id) = q.bill_profile_id {
            if !config.bill_profiles.iter().any(|b| b.id == id) {
                return Err(ApiError::not_found(ErrorCode::BillProfileNotFound, "Bill Profile", id));
            }
        }
        if let Some(id) = q.line_type_id {
            if !config.line_types.iter().any(|b| b.id == id) {
                return Err(ApiError::not_found(ErrorCode::ServiceTypeNotFound, "Service type", id));
            }
        }
        if let Some(id) = q.product_category_id {
            if !config.product_categories.iter().any(|b| b.id == id) {
                return Err(ApiError::invalid(
                    "ProductCategoryID",
                    format!("no product category (G/L code) has id {id}"),
                ));
            }
        }
        let mut states = Vec::new();
        if let Some(s) = q.state.as_deref().filter(|s| !s.is_empty()) {
            states.push(validate::us_state("State", s)?);
        }
        if let Some(z) = q.zip.as_deref() {
            states.push(validate::zip("Zip", z)?.to_string());
        }
        Ok(Filter { q, provider_id, product_type_id, states })
    }

    fn keeps(&self, config: &ClientConfig, p: &Product) -> bool {
        let q = self.q;
        if let Some(id) = q.product_id {
            // Asking for one product by id returns it whatever its other properties.
            if p.id != id {
                return false;
            }
        } else if !p.active {
            return false;
        }
        let provider = config.provider(p.provider_id);
        let explicitly_named = self.provider_id == Some(p.provider_id) || q.product_id == Some(p.id);
        if !q.include_non_line_carrier_products.unwrap_or(false)
            && !explicitly_named
            && !provider.is_some_and(|x| x.provisionable)
        {
            return false;
        }
        if self.provider_id.is_some_and(|id| id != p.provider_id) {
            return false;
        }
        if self.product_type_id.is_some_and(|id| id != p.product_type_id) {
            return false;
        }
        let recurring = config.product_types.iter().find(|t| t.id == p.product_type_id).is_some_and(|t| t.recurring);
        if recurring && q.include_recurring == Some(false) {
            return false;
        }
        if !recurring && q.include_one_time == Some(false) {
            return false;
        }
        if let Some(state) = &p.state {
            if self.states.iter().any(|s| s != state) {
                return false;
            }
        }
        match q.customer_class {
            Some(CustomerClass::Business) if p.customer_class == CustomerClass::Residential => return false,
            Some(CustomerClass::Residential) if p.customer_class == CustomerClass::Business => return false,
            _ => {}
        }
        if let Some(key) = &q.attribute_key {
            match p.attributes.iter().find(|(k, _)| k == key) {
                None => return false,
                Some((_, v)) => {
                    if q.attribute_value.as_ref().is_some_and(|want| want != v) {
                        return false;
                    }
                }
            }
        }
        if q.bill_profile_id.is_some_and(|id| !p.bill_profiles.contains(&id)) {
            return false;
        }
        if q.availability_location.is_some_and(|l| !p.availability.contains(&l)) {
            return false;
        }
        if q.product_category_id.is_some_and(|id| p.product_category_id != Some(id)) {
            return false;
        }
        if q.line_type_id.is_some_and(|id| !p.line_types.contains(&id)) {
            return false;
        }
        true
    }
}

fn item(config: &ClientConfig, p: &Product) -> ProductItem {
    let provider = config.provider(p.provider_id);
    let product_type = config.product_type(p.product_type_id);
    ProductItem {
        id: p.id,
        name: p.name.clone(),
        description: p.description.clone(),
        wholesale_description: p.wholesale_description.clone(),
        rate: validate::money_out(p.rate),
        cost: validate::money_out(p.cost),
        taxes: Decimal::new(0, 2),
        bill_profiles: p
            .bill_profiles
            .iter()
            .filter_map(|id| config.bill_profiles.iter().find(|b| b.id == *id))
            .map(|b| BillProfileItem { id: b.id, name: b.name.clone() })
            .collect(),
        line_types: p
            .line_types
            .iter()
            .filter_map(|id| config.line_types.iter().find(|b| b.id == *id))
            .map(|b| LineTypeItem { id: b.id, description: b.name.clone() })
            .collect(),
        provisioning: Provisioning { code1: p.code1.clone(), code2: p.code2.clone(), enabled: p.creates_order },
        wireless: p.wireless.as_ref().map(|w| ProductWireless {
            allowances: Some(
                w.allowances
                    .iter()
                    .map(|a| WirelessProductAllowance {
                        quantity: a.quantity,
                        expiration_days: a.expiration_days,
                        nights_weekends_flag: Some(a.nights_weekends),
                        unlimited_flag: Some(a.unlimited),
                    })
                    .collect(),
            ),
            data_flag: Some(w.data),
            sms_flag: Some(w.sms),
            voice_flag: Some(w.voice),
        }),
        carrier_id: p.provider_id,
        carrier_code: provider.map(|x| x.code.clone()).unwrap_or_default(),
        product_type_id: p.product_type_id,
        product_type_code: product_type.map(|t| t.code.clone()).unwrap_or_default(),
        recurring: product_type.is_some_and(|t| t.recurring),
        free_months: p.free_months,
        automatic_expiration: p.automatic_expiration,
        billing_months: p.billing_months,
        state: p.state.clone(),
        bill_in_arrears: p.bill_in_arrears,
        prorate: p.prorate,
        product_category_id: p.product_category_id,
        order_completion_billing: p.order_completion_billing,
        creates_order: p.creates_order,
        active_flag: p.active,
        customer_class: p.customer_class,
        attributes: p.attributes.iter().map(|(k, v)| ProductAttribute { key: k.clone(), value: v.clone() }).collect(),
        availability_locations: p.availability.clone(),
        fields: super::validate::fields_out(&p.fields, &config.custom_fields),
    }
}
