//! The declaration of every operation: its wire name, documentation, input and output.

use crate::common::Empty;
use crate::{customers::*, events::*, inventory::*, orders::*, products::*, sessions::*};

crate::declare_operations! {
/// Opens a session for the user named in Credentials.
SessionsCreate = "Sessions_Create" (SessionsCreateInput) -> SessionsCreateOutput;
/// Tells whose session a SessionKey is.
SessionsValidate = "Sessions_Validate" (SessionsValidateInput) -> SessionsValidateOutput;
/// Ends a session; the key is refused from then on.
SessionsDestroy = "Sessions_Destroy" (SessionsDestroyInput) -> Empty;
/// Lets another user act as the caller, through an impersonation key.
ImpersonationAuthorize = "Impersonation_Authorize" (ImpersonationAuthorizeInput) -> ImpersonationAuthorizeOutput;
/// Adds a product to the catalog.
ProductsCreate = "Products_Create" (ProductsCreateInput) -> ProductsCreateOutput;
/// Lists catalog products matching every filter given.
ProductsQuery = "Products_Query" (ProductsQueryInput) -> ProductsQueryOutput;
/// Changes a catalog product.
ProductsUpdate = "Products_Update" (ProductsUpdateInput) -> Empty;
/// Extension: every product and package of the catalog, with the settings file and line of each.
CatalogQuery = "Catalog_Query" (CatalogQueryInput) -> CatalogQueryOutput;
/// Creates a customer (an extension: the seeds use customers but do not create them).
CustomersCreate = "Customers_Create" (CustomersCreateInput) -> CustomersCreateOutput;
/// Reads one customer with its services, products and inventory.
CustomersQuery = "Customers_Query" (CustomersQueryInput) -> CustomersQueryOutput;
/// Extension: customers whose name contains the text given.
CustomersSearch = "Customers_Search" (CustomersSearchInput) -> CustomersSearchOutput;
/// Creates one inventory item.
InventoryCreate = "Inventory_Create" (InventoryCreateInput) -> InventoryCreateOutput;
/// Creates many inventory items, all or none.
InventoryBulkCreate = "Inventory_Bulk_Create" (InventoryBulkInput) -> InventoryBulkCreateOutput;
/// Changes one inventory item: absent or nil fields are left alone, empty ones replace.
InventoryUpdate = "Inventory_Update" (InventoryUpdateInput) -> Empty;
/// Changes many inventory items, all or none.
InventoryBulkUpdate = "Inventory_Bulk_Update" (InventoryBulkInput) -> Empty;
/// Finds one inventory item by MDN, by ID, or by Identifier and Type.
InventoryQuery = "Inventory_Query" (InventoryQueryInput) -> InventoryQueryOutput;
/// Assigns an inventory item to a customer, service or customer product.
InventoryAssign = "Inventory_Assign" (InventoryAssignInput) -> Empty;
/// Returns an assigned inventory item to AVAILABLE or UNAVAILABLE.
InventoryUnassign = "Inventory_Unassign" (InventoryUnassignInput) -> Empty;
/// Creates an inventory type.
InventoryTypesCreate = "InventoryTypes_Create" (InventoryTypesCreateInput) -> InventoryTypesCreateOutput;
/// Changes an inventory type.
InventoryTypesUpdate = "InventoryTypes_Update" (InventoryTypesUpdateInput) -> Empty;
/// Deletes an inventory type that has no items.
InventoryTypesDelete = "InventoryTypes_Delete" (InventoryTypesDeleteInput) -> Empty;
/// Lists inventory types matching every filter given.
InventoryTypesQuery = "InventoryTypes_Query" (InventoryTypesQueryInput) -> InventoryTypesQueryOutput;
/// Attaches service inventory (such as DIDs) to a service by identifier.
InventoryTypesAssign = "InventoryTypes_Assign" (InventoryTypesAssignInput) -> Empty;
/// Detaches service inventory from a service by identifier.
InventoryTypesUnassign = "InventoryTypes_Unassign" (InventoryTypesUnassignInput) -> Empty;
/// Extension: how many items of each inventory type are in each status.
InventoryCountsQuery = "InventoryCounts_Query" (InventoryCountsQueryInput) -> InventoryCountsQueryOutput;
/// Extension: the change history of one inventory item, oldest first.
InventoryHistoryQuery = "InventoryHistory_Query" (InventoryHistoryQueryInput) -> InventoryHistoryQueryOutput;
/// Creates a new service for a customer from a package, and the orders that activate it.
NewOrdersCreate = "NewOrders_Create" (NewOrdersCreateInput) -> NewOrdersCreateOutput;
/// Creates a Suspend, Disconnect, Restore, AddLine, Change or PackageChange order.
OrdersCreate = "Orders_Create" (OrdersCreateInput) -> OrdersCreateOutput;
/// Reads one order in the form of its kind.
OrdersQuery = "Orders_Query" (OrdersQueryInput) -> OrdersQueryOutput;
/// Lists the orders matching every filter given.
OrdersSearch = "Orders_Search" (OrdersSearchInput) -> OrdersSearchOutput;
/// Changes an order's status, flags, tracking, process, route or product changes.
OrdersUpdate = "Orders_Update" (OrdersUpdateInput) -> Empty;
/// Extension: recent events (order and inventory changes) and their delivery to subscribers.
EventsQuery = "Events_Query" (EventsQueryInput) -> EventsQueryOutput;
/// Extension: orders by creation day and status, flow-through latency and the queues' backlog.
OrderStatsQuery = "OrderStats_Query" (OrderStatsQueryInput) -> OrderStatsQueryOutput;
}
