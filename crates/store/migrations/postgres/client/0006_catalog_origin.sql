-- Where a catalog item was defined: "<settings file>:<line>" of its table in the file applied,
-- NULL for a product made through the API (Products_Create). Catalog_Query and the console's
-- catalog page name it.
ALTER TABLE products ADD COLUMN origin TEXT;
ALTER TABLE packages ADD COLUMN origin TEXT;
