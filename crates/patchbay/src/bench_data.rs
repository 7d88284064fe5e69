//! `patchbay bench-data orders`: a large data set for the order benchmarks (BENCHMARKS.md),
//! written straight through the store traits in large transactions, each with its audit record
//! (user 0, operation `bench-data`).
//!
//! It writes `--customers` new customers, then `--orders` orders spread uniformly over them,
//! oldest first over the last two years. A customer's first order is a NEW line (5% of new lines
//! are ports, CONVERSION); later ones add a line (ADD_LINE, 15%) or work on one of its live
//! lines: CHANGE_FEATURE (an add-on product or a new rate), DENY, RESTORE of a suspended line,
//! DISCONNECT. One new line in five also buys the catalog's handset, which its provider ships
//! on an order of its own, as NewOrders_Create makes it. Statuses follow age: of the newest 5%
//! of orders most are still open (NEW, SENT, CONFIRMED, ERROR, holds…); older ones are nearly all
//! COMPLETE or CANCELED, a few stuck. Each order's status history walks NEW to its status.
//!
//! What a completed order did is reflected in what later orders may do (a disconnected line
//! takes no more orders, a suspended one is restored); the customer products themselves keep
//! the status they were written with (ACTIVE when the creating order completed, else PENDING),
//! and a canceled new line writes no service, as canceling deletes it. The mix comes from a
//! seeded generator: the same seed writes the same data.

use anyhow::{anyhow, bail, Context, Result};
use patchbay_api::customers::{CustomerProductStatus, CustomerStatus, CustomerType};
use patchbay_api::inventory::InventoryItemStatus;
use patchbay_api::orders::{OrderStatus, OrderType, ShippingStatus, SuspendType};
use patchbay_core::model::*;
use patchbay_core::store::{ClientDb, ClientTx, Store};
use patchbay_schema::DateTime;
use rust_decimal::Decimal;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Instant;
use tokio::task::JoinHandle;

#[derive(clap::Subcommand)]
pub enum BenchDataCommand {
    /// Writes customers with services and products, and orders of every kind and status.
    ///
    /// The client must exist and have at least one package (e.g. `patchbay apply
    /// demo/settings.toml`). Prints the ids written.
    Orders {
        #[command(flatten)]
        db: super::DatabaseArg,
        /// The client code.
        #[arg(long)]
        client: String,
        /// New customers to write; the orders go to them.
        #[arg(long, default_value_t = 100_000)]
        customers: u32,
        /// Orders to write.
        #[arg(long, default_value_t = 1_000_000)]
        orders: u32,
        /// Customers, or orders, written per transaction.
        #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        batch: u32,
        /// Seed of the mix: the same seed writes the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

pub async fn run(cmd: BenchDataCommand) -> Result<()> {
    let BenchDataCommand::Orders { db, client, customers, orders, batch, seed } = cmd;
    if customers == 0 && orders > 0 {
        bail!("--orders needs customers to go to: give --customers 1 or more");
    }
    let store = super::open(&db.database).await?;
    store.migrate().await.context("migrating the database")?;
    let started = Instant::now();
    let result = load(&*store, &client, customers, orders, batch, seed).await;
    store.close().await;
    let w = result?;
    println!(
        "wrote {} customers (ids {}), {} services, {} customer products and {} orders (ids {}) in {:.1} s",
        w.customers.count,
        w.customers.range(),
        w.services,
        w.products,
        w.orders.count,
        w.orders.range(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// How many ids of a kind were written, and the lowest and highest.
#[derive(Default)]
struct Span {
    count: usize,
    min: i32,
    max: i32,
}

impl Span {
    fn add(&mut self, ids: impl IntoIterator<Item = i32>) {
        for id in ids {
            (self.min, self.max) = if self.count == 0 { (id, id) } else { (self.min.min(id), self.max.max(id)) };
            self.count += 1;
        }
    }

    fn range(&self) -> String {
        if self.count == 0 {
            "none".into()
        } else {
            format!("{}-{}", self.min, self.max)
        }
    }
}

/// What was written.
#[derive(Default)]
struct Written {
    customers: Span,
    orders: Span,
    services: usize,
    products: usize,
}

impl Written {
    fn add(&mut self, b: &Batch) {
        self.customers.add(b.customers.iter().map(|c| c.id));
        self.orders.add(b.orders.iter().map(|o| o.id));
        self.services += b.services.len();
        self.products += b.products.len();
    }
}

async fn load(store: &dyn Store, client: &str, customers: u32, orders: u32, batch: u32, seed: u64) -> Result<Written> {
    let db = store.client(client).await?.ok_or_else(|| anyhow!("there is no client {client:?}"))?;
    let (_, config) = db.load_config().await?;
    let catalog = Catalog::of(&config)?;
    let bar = std::io::stdout().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(u64::from(customers) + u64::from(orders));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} customers and orders written ({elapsed}, {per_sec}, eta {eta})",
            )
            .expect("a valid template"),
        );
        bar
    });
    let mut out = Output { db: db.clone(), running: None, written: Written::default(), bar };
    if customers == 0 {
        return Ok(out.written);
    }
    // The first transaction reserves every id the load may use, so the generator knows them
    // before each batch's transaction. Services and customer products are reserved for the most
    // the orders could make; what is left over stays unused at the end of their ranges.
    let mut tx = db.begin().await?;
    let (orders_i, customers_i) = (orders as i32, customers as i32);
    let mut gen = Gen::new(
        &catalog,
        seed,
        orders,
        Ids::reserve(&mut *tx, "customer", customers_i).await?,
        Ids::reserve(&mut *tx, "order", orders_i).await?,
        Ids::reserve(&mut *tx, "service", orders_i).await?,
        Ids::reserve(&mut *tx, "customer_product", orders_i * (catalog.most_products() + 1)).await?,
    );
    let first = gen.customers(batch.min(customers));
    write(&mut *tx, &first).await?;
    tx.commit().await.context("writing customers")?;
    out.done(&first);

    for start in (batch..customers).step_by(batch as usize) {
        out.write(gen.customers(batch.min(customers - start))).await?;
    }
    for start in (0..orders).step_by(batch as usize) {
        out.write(gen.orders(start, batch.min(orders - start))).await?;
    }
    out.wait().await?;
    if let Some(b) = &out.bar {
        b.finish_and_clear();
    }
    Ok(out.written)
}

/// Writes batches, each in a transaction of its own, one after another: the next batch is
/// generated while the one before is written. (One at a time: a batch's orders work on services
/// that the batches before it created, which must be committed for PostgreSQL's foreign key
/// checks to see them.)
struct Output {
    db: Arc<dyn ClientDb>,
    running: Option<JoinHandle<Result<Batch>>>,
    written: Written,
    bar: Option<indicatif::ProgressBar>,
}

impl Output {
    async fn write(&mut self, b: Batch) -> Result<()> {
        self.wait().await?;
        let db = self.db.clone();
        self.running = Some(tokio::spawn(async move {
            let mut tx = db.begin().await?;
            write(&mut *tx, &b).await?;
            tx.commit().await?;
            Ok(b)
        }));
        Ok(())
    }

    /// Waits until the batch being written is committed.
    async fn wait(&mut self) -> Result<()> {
        if let Some(running) = self.running.take() {
            let b = running.await.context("the writing task failed")?.context("writing a batch")?;
            self.done(&b);
        }
        Ok(())
    }

    fn done(&mut self, b: &Batch) {
        self.written.add(b);
        if let Some(bar) = &self.bar {
            bar.inc((b.customers.len() + b.orders.len()) as u64);
        }
    }
}

/// Writes a batch and its audit records into `tx`.
async fn write(tx: &mut dyn ClientTx, b: &Batch) -> Result<()> {
    for c in &b.customers {
        tx.insert_customer(c).await?;
    }
    for s in &b.services {
        tx.insert_service(s).await?;
    }
    for o in &b.orders {
        tx.insert_order(o).await?;
    }
    if !b.history.is_empty() {
        tx.insert_order_status(&b.history).await?;
    }
    if !b.products.is_empty() {
        tx.insert_customer_products(&b.products).await?;
    }
    if !b.customers.is_empty() {
        audit(tx, "customer", b.customers.iter().map(|c| c.id)).await?;
    }
    if !b.orders.is_empty() {
        audit(tx, "order", b.orders.iter().map(|o| o.id)).await?;
    }
    Ok(())
}

async fn audit(tx: &mut dyn ClientTx, entity: &str, ids: impl Iterator<Item = i32>) -> Result<()> {
    tx.audit(&AuditRecord {
        at: DateTime::now(),
        user_id: 0,
        on_behalf_of_user_id: None,
        operation: "bench-data".into(),
        entity: entity.into(),
        entity_ids: ids.map(i64::from).collect(),
    })
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// What is ordered: the client's catalog.

#[derive(Clone)]
struct Offer {
    product_id: i32,
    provider_id: i32,
    rate: Decimal,
}

struct PackageOffer {
    id: i32,
    provider_id: i32,
    line_type_id: Option<i32>,
    products: Vec<Offer>,
}

struct Catalog {
    /// The first is the one most new lines take (80%).
    packages: Vec<PackageOffer>,
    /// Active products in no package and not shipped: the add-ons of feature changes.
    add_ons: Vec<Offer>,
    /// An active product that must be shipped (a handset), sold with some new lines.
    device: Option<Offer>,
    /// Providers that can be sent orders (FlowThrough).
    provisionable: Vec<i32>,
    bill_profiles: Vec<i32>,
}

impl Catalog {
    fn of(config: &ClientConfig) -> Result<Catalog> {
        let offer = |p: &Product| Offer { product_id: p.id, provider_id: p.provider_id, rate: p.rate };
        let packages: Vec<PackageOffer> = config
            .packages
            .iter()
            .map(|k| PackageOffer {
                id: k.id,
                provider_id: k.provider_id,
                line_type_id: k.line_type_id,
                products: config.products.iter().filter(|p| k.products.contains(&p.id)).map(offer).collect(),
            })
            .collect();
        if packages.is_empty() {
            bail!("the client has no packages to order: apply a settings file with some first");
        }
        let shipped =
            |p: &Product| config.product_types.iter().any(|t| t.id == p.product_type_id && t.requires_shipping);
        let extras = || {
            config.products.iter().filter(|p| p.active && !config.packages.iter().any(|k| k.products.contains(&p.id)))
        };
        Ok(Catalog {
            add_ons: extras().filter(|p| !shipped(p)).map(offer).collect(),
            device: extras().find(|p| shipped(p)).map(offer),
            packages,
            provisionable: config.providers.iter().filter(|p| p.provisionable).map(|p| p.id).collect(),
            bill_profiles: config.bill_profiles.iter().map(|b| b.id).collect(),
        })
    }

    fn most_products(&self) -> i32 {
        self.packages.iter().map(|p| p.products.len() as i32).max().unwrap_or(0)
    }

    fn provider_of(&self, product_id: i32) -> Option<i32> {
        let mut all = self.packages.iter().flat_map(|k| &k.products).chain(&self.add_ons).chain(&self.device);
        all.find(|o| o.product_id == product_id).map(|o| o.provider_id)
    }
}

// ---------------------------------------------------------------------------------------------
// The generator.

/// SplitMix64: small, fast, and the same numbers for the same seed everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn weighted<T: Copy>(&mut self, table: &[(usize, T)]) -> T {
        let mut r = self.below(table.iter().map(|(w, _)| w).sum());
        for &(w, v) in table {
            if r < w {
                return v;
            }
            r -= w;
        }
        unreachable!("r is below the sum of the weights")
    }
}

/// Ids of one kind reserved for the load, handed out in order.
struct Ids {
    kind: &'static str,
    next: i32,
    end: i32,
}

impl Ids {
    async fn reserve(tx: &mut dyn ClientTx, kind: &'static str, count: i32) -> Result<Ids> {
        let next = if count > 0 { tx.next_ids(kind, count).await? } else { 0 };
        Ok(Ids { kind, next, end: next + count })
    }

    fn take(&mut self) -> i32 {
        assert!(self.next < self.end, "more {} ids are used than were reserved", self.kind);
        self.next += 1;
        self.next - 1
    }
}

/// A live service of a customer, as later orders see it.
#[derive(Clone)]
struct Line {
    id: i32,
    tn: Option<String>,
    package: usize,
    /// (customer product, catalog product) on it.
    products: Vec<(i32, i32)>,
    suspended: bool,
}

/// What one transaction writes.
#[derive(Default)]
struct Batch {
    customers: Vec<CustomerRecord>,
    services: Vec<ServiceRecord>,
    products: Vec<CustomerProductRecord>,
    orders: Vec<OrderRecord>,
    history: Vec<OrderStatusRecord>,
}

const DAY: i64 = 86_400;

/// Real addresses (the ZIP is in the state).
const ADDRESSES: [(&str, &str, &str, &str); 8] = [
    ("1200 Main St", "Houston", "TX", "77002"),
    ("350 5th Ave", "New York", "NY", "10118"),
    ("900 Congress Ave", "Austin", "TX", "78701"),
    ("1 Market St", "San Francisco", "CA", "94105"),
    ("233 S Wacker Dr", "Chicago", "IL", "60606"),
    ("600 Peachtree St NE", "Atlanta", "GA", "30308"),
    ("1600 Broadway", "Denver", "CO", "80202"),
    ("400 Broad St", "Seattle", "WA", "98109"),
];
const FIRST_NAMES: [&str; 10] = ["Dana", "Sam", "Lee", "Priya", "Alex", "Maria", "Chen", "Omar", "Grace", "Luis"];
const LAST_NAMES: [&str; 10] =
    ["Reyes", "Okafor", "Nguyen", "Shah", "Kim", "Garcia", "Smith", "Haddad", "Novak", "Silva"];
const TRADES: [&str; 5] = ["Plumbing", "Dental", "Logistics", "Bakery", "Roofing"];

/// Statuses of the newest 5% of orders, per thousand.
const RECENT: [(usize, OrderStatus); 11] = [
    (150, OrderStatus::New),
    (150, OrderStatus::Sent),
    (150, OrderStatus::Confirmed),
    (50, OrderStatus::Provisioned),
    (60, OrderStatus::Error),
    (40, OrderStatus::FlowError),
    (50, OrderStatus::Hold),
    (20, OrderStatus::PaymentHold),
    (30, OrderStatus::Jeopardy),
    (250, OrderStatus::Complete),
    (50, OrderStatus::Canceled),
];
/// Statuses of older orders, per thousand: done, or stuck.
const OLD: [(usize, OrderStatus); 6] = [
    (900, OrderStatus::Complete),
    (80, OrderStatus::Canceled),
    (5, OrderStatus::Error),
    (5, OrderStatus::FlowError),
    (5, OrderStatus::Hold),
    (5, OrderStatus::Jeopardy),
];

/// The statuses an order went through after NEW to reach `s`.
fn path(s: OrderStatus) -> &'static [OrderStatus] {
    use OrderStatus::*;
    match s {
        NotSpecified | New => &[],
        Sent => &[Sent],
        Confirmed => &[Sent, Confirmed],
        Provisioned => &[Sent, Confirmed, Provisioned],
        Complete => &[Sent, Confirmed, Complete],
        Error => &[Sent, Error],
        Jeopardy => &[Sent, Confirmed, Jeopardy],
        FlowError => &[FlowError],
        Canceled => &[Canceled],
        Hold => &[Hold],
        PaymentHold => &[PaymentHold],
        LifelineHold => &[LifelineHold],
    }
}

struct Gen<'c> {
    catalog: &'c Catalog,
    rng: Rng,
    /// When the first order was made; orders are spread from there to `now`.
    start: i64,
    now: i64,
    total_orders: u32,
    /// The customers generated so far.
    customer_ids: Vec<i32>,
    /// The live lines of each customer (same index as `customer_ids`).
    lines: Vec<Vec<Line>>,
    customer_id: Ids,
    order_id: Ids,
    service_id: Ids,
    product_id: Ids,
}

impl<'c> Gen<'c> {
    fn new(
        catalog: &'c Catalog,
        seed: u64,
        total_orders: u32,
        customer_id: Ids,
        order_id: Ids,
        service_id: Ids,
        product_id: Ids,
    ) -> Self {
        let now = DateTime::now().unix();
        Gen {
            catalog,
            rng: Rng(seed),
            start: now - 730 * DAY,
            now,
            total_orders,
            customer_ids: Vec::new(),
            lines: Vec::new(),
            customer_id,
            order_id,
            service_id,
            product_id,
        }
    }

    fn time(&self, secs: i64) -> DateTime {
        DateTime::from_unix(secs.min(self.now)).expect("a time within two years of now")
    }

    /// The address of customer `id` (and so where its orders ship).
    fn address(id: i32) -> AddressRecord {
        let index = id as usize;
        let (address1, city, state, zip) = ADDRESSES[index % ADDRESSES.len()];
        AddressRecord {
            first_name: FIRST_NAMES[index % FIRST_NAMES.len()].into(),
            last_name: LAST_NAMES[(index / FIRST_NAMES.len()) % LAST_NAMES.len()].into(),
            address1: address1.into(),
            address2: None,
            city: city.into(),
            state: state.into(),
            zip: zip.into(),
            zip4: None,
            country: "USA".into(),
        }
    }

    /// The next `n` customers.
    fn customers(&mut self, n: u32) -> Batch {
        let mut b = Batch::default();
        for _ in 0..n {
            let id = self.customer_id.take();
            b.customers.push(self.customer(id));
            self.customer_ids.push(id);
            self.lines.push(Vec::new());
        }
        b
    }

    fn customer(&mut self, id: i32) -> CustomerRecord {
        let index = id as usize;
        let address = Self::address(id);
        let business = self.rng.percent(15);
        let since = self.rng.below(365) as i64 * DAY;
        let open = self.rng.percent(95);
        let profiles = &self.catalog.bill_profiles;
        CustomerRecord {
            id,
            class: if business { CustomerType::Business } else { CustomerType::Residential },
            first_name: (!business).then(|| address.first_name.clone()),
            last_name: (!business).then(|| address.last_name.clone()),
            company_name: business.then(|| format!("{} {} LLC", address.last_name, TRADES[index % TRADES.len()])),
            status: if open { CustomerStatus::Open } else { CustomerStatus::Pending },
            bill_profile_id: profiles.get(usize::from(business)).or(profiles.first()).copied(),
            service_address: Some(address),
            fields: Vec::new(),
            created_at: self.time(self.start - since),
        }
    }

    /// The next `n` orders, the first being order number `from` of the whole set.
    fn orders(&mut self, from: u32, n: u32) -> Batch {
        let mut b = Batch::default();
        while (b.orders.len() as u32) < n {
            let number = from + b.orders.len() as u32;
            let room = n as usize - b.orders.len();
            self.request(number, room, &mut b);
        }
        b
    }

    /// One request's orders (one, or two when a new line also buys a handset, if `room`).
    fn request(&mut self, number: u32, room: usize, b: &mut Batch) {
        let span = self.now - self.start;
        let at = self.start + (i64::from(number) * span) / i64::from(self.total_orders.max(1));
        let recent = u64::from(number) * 100 >= u64::from(self.total_orders) * 95;
        let status = self.rng.weighted(if recent { &RECENT[..] } else { &OLD[..] });
        let c = self.rng.below(self.customer_ids.len());
        if self.lines[c].is_empty() || self.rng.percent(15) {
            return self.new_line(c, at, status, room, b);
        }
        let k = self.rng.below(self.lines[c].len());
        let line = self.lines[c][k].clone();
        let catalog = self.catalog;
        let package = &catalog.packages[line.package];
        let done = status == OrderStatus::Complete;
        let mut order = self.order(c, OrderType::ChangeFeature, status, Some(package.provider_id), at);
        let mut action = LineAction::Change;
        if line.suspended {
            if self.rng.percent(70) {
                order.order_type = OrderType::Restore;
                action = LineAction::Restore;
                self.lines[c][k].suspended &= !done;
            } else {
                order.order_type = OrderType::Disconnect;
                action = LineAction::Disconnect;
            }
        } else {
            match self.rng.below(100) {
                0..=59 => self.change(c, k, status, &mut order, b),
                60..=84 => {
                    order.order_type = OrderType::Deny;
                    order.suspend_type = Some(SuspendType::All);
                    action = LineAction::Suspend;
                    self.lines[c][k].suspended |= done;
                }
                _ => {
                    order.order_type = OrderType::Disconnect;
                    action = LineAction::Disconnect;
                }
            }
        }
        if order.order_type == OrderType::Disconnect {
            order.inventory_status = Some(InventoryItemStatus::Available);
            if done {
                self.lines[c].remove(k);
            }
        }
        order.lines.push(OrderLineRecord {
            service_id: line.id,
            tn: line.tn,
            action,
            package_id: Some(package.id),
            old_package_id: None,
        });
        self.push(order, b);
    }

    /// CHANGE_FEATURE on line `k` of customer `c`: an add-on product, or a new rate.
    fn change(&mut self, c: usize, k: usize, status: OrderStatus, order: &mut OrderRecord, b: &mut Batch) {
        let (service_id, on_line) = (self.lines[c][k].id, self.lines[c][k].products.len());
        if self.catalog.add_ons.is_empty() || (on_line > 0 && self.rng.percent(40)) {
            let pick = self.rng.below(on_line);
            if let Some(&(customer_product_id, product_id)) = self.lines[c][k].products.get(pick) {
                order.provider_id = self.catalog.provider_of(product_id).or(order.provider_id);
                order.items.push(OrderItemRecord {
                    service_id,
                    action: ItemAction::Change,
                    customer_product_id,
                    product_id,
                    rate: Some(Decimal::new(1000 + 100 * self.rng.below(40) as i64, 2)),
                    quantity: None,
                });
            }
            return;
        }
        let add_on = self.catalog.add_ons[self.rng.below(self.catalog.add_ons.len())].clone();
        order.provider_id = Some(add_on.provider_id);
        let id = self.product_id.take();
        order.items.push(add_item(service_id, id, &add_on));
        if status != OrderStatus::Canceled {
            b.products.push(self.customer_product(c, service_id, id, &add_on, status));
            self.lines[c][k].products.push((id, add_on.product_id));
        }
    }

    /// A new line for customer `c` (NEW, ADD_LINE or CONVERSION), with a handset order beside it
    /// one time in five when there is `room`.
    fn new_line(&mut self, c: usize, at: i64, status: OrderStatus, room: usize, b: &mut Batch) {
        let catalog = self.catalog;
        let package = if catalog.packages.len() == 1 || self.rng.percent(80) {
            0
        } else {
            1 + self.rng.below(catalog.packages.len() - 1)
        };
        let p = &catalog.packages[package];
        let id = self.service_id.take();
        let port = self.rng.percent(5);
        let order_type = match (port, self.lines[c].is_empty()) {
            (true, _) => OrderType::Conversion,
            (false, true) => OrderType::New,
            (false, false) => OrderType::AddLine,
        };
        let tn = format!("5{id:09}");
        let customer_id = self.customer_ids[c];
        let mut order = self.order(c, order_type, status, Some(p.provider_id), at);
        if port {
            let address = Self::address(customer_id);
            order.port = Some(PortRecord {
                mdn: tn.clone(),
                account_number: format!("{}", 40_000_000 + self.rng.below(10_000_000)),
                authorized_signer: format!("{} {}", address.first_name, address.last_name),
                pin_password: Some(format!("{:04}", self.rng.below(10_000))),
                remark: None,
                address,
                external_provider_id: None,
            });
        }
        // The number is known once a port is asked for or the provider has activated the line.
        let line_tn = port.then(|| tn.clone());
        let service_tn = (port || status == OrderStatus::Complete).then(|| tn.clone());
        let new_line = |tn: Option<String>| OrderLineRecord {
            service_id: id,
            tn,
            action: LineAction::New,
            package_id: Some(p.id),
            old_package_id: None,
        };
        order.lines.push(new_line(line_tn.clone()));
        let mut line = Line { id, tn: service_tn.clone(), package, products: Vec::new(), suspended: false };
        let mut products = Vec::new();
        for offer in &p.products {
            let cp = self.product_id.take();
            order.items.push(add_item(id, cp, offer));
            products.push(self.customer_product(c, id, cp, offer, status));
            line.products.push((cp, offer.product_id));
        }
        let mut device_order = None;
        if let Some(device) = catalog.device.as_ref().filter(|_| room >= 2 && self.rng.percent(20)) {
            let mut o = self.order(c, order_type, status, Some(device.provider_id), at);
            let cp = self.product_id.take();
            o.lines.push(new_line(line_tn));
            o.items.push(add_item(id, cp, device));
            o.shipping_address = Some(Self::address(customer_id));
            o.shipping_status = ShippingStatus::NotShipped;
            if status == OrderStatus::Complete {
                o.shipping_status = ShippingStatus::Shipped;
                o.tracking_number = Some(format!("1Z{:016}", self.rng.next() % 10_000_000_000_000_000));
            }
            products.push(self.customer_product(c, id, cp, device, status));
            device_order = Some(o);
        }
        if status != OrderStatus::Canceled {
            b.services.push(ServiceRecord {
                id,
                customer_id,
                tn: service_tn,
                line_type_id: p.line_type_id,
                provider_id: Some(p.provider_id),
                package_id: Some(p.id),
                description: None,
                created_at: order.created_at,
                provider_account_id: None,
                alt_btn_id: None,
                pbx_make: None,
                pbx_model: None,
            });
            b.products.extend(products);
            self.lines[c].push(line);
        }
        self.push(order, b);
        if let Some(o) = device_order {
            self.push(o, b);
        }
    }

    fn customer_product(
        &self,
        c: usize,
        service_id: i32,
        id: i32,
        offer: &Offer,
        status: OrderStatus,
    ) -> CustomerProductRecord {
        let done = status == OrderStatus::Complete;
        CustomerProductRecord {
            id,
            customer_id: self.customer_ids[c],
            service_id: Some(service_id),
            product_id: offer.product_id,
            description: None,
            rate: offer.rate,
            quantity: 1,
            status: if done { CustomerProductStatus::Active } else { CustomerProductStatus::Pending },
            activated_at: None,
            billed_through: None,
        }
    }

    /// A new order of customer `c` made at `at`, with its times and history walked to `status`
    /// (history written by [`Gen::push`]).
    fn order(
        &mut self,
        c: usize,
        order_type: OrderType,
        status: OrderStatus,
        provider_id: Option<i32>,
        at: i64,
    ) -> OrderRecord {
        let jitter = self.rng.below(600) as i64;
        let created = self.time(at + jitter);
        let mut o = OrderRecord {
            status,
            status_note: match status {
                OrderStatus::Error => Some("Provider rejected the order: address not found".into()),
                OrderStatus::Jeopardy => Some("Due date at risk".into()),
                OrderStatus::Hold | OrderStatus::PaymentHold => Some("Awaiting payment".into()),
                _ => None,
            },
            flow_through: provider_id.is_some_and(|p| self.catalog.provisionable.contains(&p)),
            ..OrderRecord::new(
                self.order_id.take(),
                String::new(),
                self.customer_ids[c],
                order_type,
                provider_id,
                created,
            )
        };
        o.pon = format!("PB{:08}", o.id);
        let steps = path(status);
        let gaps: i64 = (0..steps.len()).map(|_| 600 + self.rng.below(2 * DAY as usize) as i64).sum();
        o.updated_at = self.time(created.unix() + gaps);
        if let Some(i) = steps.iter().position(|&s| counts_as_sent(s)) {
            o.sent_at = Some(self.step_time(&o, i));
        }
        if status == OrderStatus::Complete {
            o.completed_at = Some(o.updated_at);
        }
        o
    }

    /// When `order` reached step `i` of its path: the steps are spread evenly from its
    /// creation to its last change.
    fn step_time(&self, order: &OrderRecord, i: usize) -> DateTime {
        let (c, u) = (order.created_at.unix(), order.updated_at.unix());
        self.time(c + (u - c) * (i as i64 + 1) / path(order.status).len() as i64)
    }

    /// Adds the order and its status history.
    fn push(&self, order: OrderRecord, b: &mut Batch) {
        let entry = |at, from, to| OrderStatusRecord {
            order_id: order.id,
            at,
            from,
            to,
            note: None,
            user_id: 0,
            on_behalf_of_user_id: None,
        };
        b.history.push(entry(order.created_at, None, OrderStatus::New));
        let mut from = OrderStatus::New;
        for (i, &to) in path(order.status).iter().enumerate() {
            b.history.push(entry(self.step_time(&order, i), Some(from), to));
            from = to;
        }
        b.orders.push(order);
    }
}

/// Whether reaching `s` means the order has left for its provider (as the state machine has it).
fn counts_as_sent(s: OrderStatus) -> bool {
    !matches!(
        s,
        OrderStatus::New
            | OrderStatus::NotSpecified
            | OrderStatus::Canceled
            | OrderStatus::Hold
            | OrderStatus::PaymentHold
            | OrderStatus::LifelineHold
    )
}

fn add_item(service_id: i32, customer_product_id: i32, offer: &Offer) -> OrderItemRecord {
    OrderItemRecord {
        service_id,
        action: ItemAction::Add,
        customer_product_id,
        product_id: offer.product_id,
        rate: Some(offer.rate),
        quantity: Some(1),
    }
}
