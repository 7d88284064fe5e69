//! Customers_Create (an extension) and Customers_Query.

use super::validate;
use crate::engine::{Ctx, Handler};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::model::{ClientConfig, CustomerProductRecord, CustomerRecord, ServiceRecord};
use async_trait::async_trait;
use patchbay_api::customers::*;
use patchbay_api::ops::{CustomersCreate, CustomersQuery};
use patchbay_schema::DateTime;

#[async_trait]
impl Handler for CustomersCreate {
    async fn handle(ctx: &Ctx, input: CustomersCreateInput) -> ApiResult<CustomersCreateOutput> {
        let config = ctx.config();
        let class = input
            .customer_class
            .ok_or_else(|| ApiError::invalid("CustomerClass", "is required (Business or Residential)"))?;
        let clean = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let first_name = clean(&input.first_name);
        let last_name = clean(&input.last_name);
        let company_name = clean(&input.company_name);
        match class {
            CustomerType::Business if company_name.is_none() => {
                return Err(ApiError::invalid("CompanyName", "is required for a Business customer"))
            }
            CustomerType::Residential if first_name.is_none() => {
                return Err(ApiError::invalid("FirstName", "is required for a Residential customer"))
            }
            CustomerType::Residential if last_name.is_none() => {
                return Err(ApiError::invalid("LastName", "is required for a Residential customer"))
            }
            _ => {}
        }
        let service_address = match &input.service_address {
            Some(a) => Some(validate::address("ServiceAddress", a)?),
            None => None,
        };
        if let Some(id) = input.bill_profile_id {
            if !config.bill_profiles.iter().any(|b| b.id == id) {
                return Err(ApiError::not_found(ErrorCode::BillProfileNotFound, "Bill Profile", id));
            }
        }
        let fields = validate::fields("Fields", input.fields.as_deref().unwrap_or_default(), &config.custom_fields)?;
        let mut tx = ctx.db().begin().await?;
        let id = tx.next_id("customer").await?;
        tx.insert_customer(&CustomerRecord {
            id,
            class,
            first_name,
            last_name,
            company_name,
            status: input.status.unwrap_or(CustomerStatus::Pending),
            bill_profile_id: input.bill_profile_id,
            service_address,
            fields,
            created_at: DateTime::now(),
        })
        .await?;
        ctx.audit(&mut *tx, "customer", &[i64::from(id)]).await?;
        tx.commit().await?;
        Ok(CustomersCreateOutput { customer_id: id })
    }
}

#[async_trait]
impl Handler for CustomersQuery {
    async fn handle(ctx: &Ctx, input: CustomersQueryInput) -> ApiResult<CustomersQueryOutput> {
        let db = ctx.db();
        let tn = input.tn.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let id = match (input.customer_id, tn) {
            (None, None) => return Err(ApiError::invalid("CustomerID", "CustomerID or TN is required")),
            (Some(id), None) => id,
            (id, Some(tn)) => {
                let by_tn = db.customer_id_by_tn(tn).await?.ok_or_else(|| {
                    ApiError::new(ErrorCode::CustomerNotFound, format!("No customer has a service with TN {tn}."))
                })?;
                if id.is_some_and(|id| id != by_tn) {
                    return Err(ApiError::new(
                        ErrorCode::ServiceCustomerMismatch,
                        format!("TN {tn} belongs to another customer than CustomerID {}.", id.unwrap_or_default()),
                    ));
                }
                by_tn
            }
        };
        let customer =
            db.customer(id).await?.ok_or_else(|| ApiError::not_found(ErrorCode::CustomerNotFound, "Customer", id))?;
        let services = db.services_of(id).await?;
        let products = db.customer_products_of(id).await?;
        let mut inventory = super::inventory::inventory_by_service(db, ctx.config(), ctx.inventory_types(), id).await?;
        let config = ctx.config();
        let services = services
            .iter()
            .map(|s| service_item(config, s, &products, inventory.remove(&s.id).unwrap_or_default()))
            .collect();
        Ok(CustomersQueryOutput {
            customer: Customer {
                customer_id: customer.id,
                customer_class: customer.class,
                first_name: customer.first_name,
                last_name: customer.last_name,
                company_name: customer.company_name,
                status: customer.status,
                bill_profile_id: customer.bill_profile_id,
                service_address: customer.service_address.as_ref().map(|a| validate::address_out(customer.id, a)),
                created_date: customer.created_at,
                fields: validate::fields_out(&customer.fields, &config.custom_fields),
                services,
            },
        })
    }
}

/// A service as the standards seed's ServiceItem shows it: its products (taken from
/// `products`, which may hold other services' too) and its inventory.
pub(crate) fn service_item(
    config: &ClientConfig,
    s: &ServiceRecord,
    products: &[CustomerProductRecord],
    inventory: Vec<Inventory>,
) -> ServiceItem {
    let provider = s.provider_id.and_then(|pid| config.provider(pid));
    let package = s.package_id.and_then(|pid| config.packages.iter().find(|p| p.id == pid));
    ServiceItem {
        id: s.id,
        service_type: s
            .line_type_id
            .and_then(|lt| config.line_types.iter().find(|l| l.id == lt))
            .map(|l| l.name.clone()),
        tn: s.tn.clone(),
        carrier_id: s.provider_id,
        carrier_description: provider.map(|p| p.name.clone()),
        package_id: s.package_id,
        package_description: package.map(|p| p.name.clone()),
        program_id: None,
        program_description: None,
        products: products
            .iter()
            .filter(|cp| cp.service_id == Some(s.id))
            .map(|cp| {
                let product = config.products.iter().find(|p| p.id == cp.product_id);
                let carrier = product.and_then(|p| config.provider(p.provider_id));
                CustomerProduct {
                    id: cp.id,
                    product_id: cp.product_id,
                    carrier_id: carrier.map(|c| c.id),
                    carrier_description: carrier.map(|c| c.name.clone()),
                    status: Some(cp.status),
                    description: cp.description.clone().or_else(|| product.and_then(|p| p.description.clone())),
                    rate: Some(validate::money_out(cp.rate)),
                    code1: product.and_then(|p| p.code1.clone()),
                    code2: product.and_then(|p| p.code2.clone()),
                    activated_date: cp.activated_at,
                    billed_through_date: cp.billed_through,
                    quantity: Some(cp.quantity),
                }
            })
            .collect(),
        inventory,
    }
}

/// Customers_Search lists at most this many.
const SEARCH_LIMIT: u32 = 100;

#[async_trait]
impl Handler for patchbay_api::ops::CustomersSearch {
    async fn handle(
        ctx: &Ctx,
        input: patchbay_api::customers::CustomersSearchInput,
    ) -> ApiResult<patchbay_api::customers::CustomersSearchOutput> {
        use patchbay_api::customers::{CustomerFound, CustomersSearchOutput};
        let name = input.name.as_deref().map(str::trim).unwrap_or("");
        if name.chars().count() < 2 {
            return Err(ApiError::invalid("Name", "must be at least 2 characters"));
        }
        let mut found = ctx.db().customers_by_name(name, SEARCH_LIMIT + 1).await?;
        let has_more = found.len() > SEARCH_LIMIT as usize;
        found.truncate(SEARCH_LIMIT as usize);
        let customers = found
            .into_iter()
            .map(|c| {
                let person =
                    format!("{} {}", c.first_name.as_deref().unwrap_or(""), c.last_name.as_deref().unwrap_or(""));
                let name = c.company_name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| person.trim().to_string());
                CustomerFound { customer_id: c.id, name, customer_class: c.class, status: c.status }
            })
            .collect();
        Ok(CustomersSearchOutput { customers, has_more })
    }
}
