//! The declaration of every operation: its wire name, documentation, input and output.

use crate::common::Empty;
use crate::{customers::*, products::*, sessions::*};

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
    /// Creates a customer (an extension: the seeds use customers but do not create them).
    CustomersCreate = "Customers_Create" (CustomersCreateInput) -> CustomersCreateOutput;
    /// Reads one customer with its services, products and inventory.
    CustomersQuery = "Customers_Query" (CustomersQueryInput) -> CustomersQueryOutput;
    }
