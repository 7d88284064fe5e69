//! Settings files: the example file loads exactly, re-applying changes nothing, and a bad file
//! stops with one line naming the file, the line and what is wrong.

use patchbay_core::settings::{apply_str, ApplyReport};
use patchbay_core::store::Store;
use std::sync::Arc;

const EXAMPLE: &str = include_str!("../../../tests/fixtures/settings.toml");

async fn store() -> Arc<dyn Store> {
    let url = patchbay_store::testing::fresh_database_url().await;
    let store = patchbay_store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
}

#[tokio::test]
async fn the_example_file_loads_everything_and_reapplying_changes_nothing() {
    let store = store().await;
    let first = apply_str(&*store, "settings.toml", EXAMPLE).await.unwrap();
    assert_eq!(first.changed, vec!["acme", "globex"]);
    let acme = store.client("acme").await.unwrap().unwrap();
    let (version, config) = acme.load_config().await.unwrap();
    assert_eq!(config.roles.len(), 2);
    assert_eq!(config.users.iter().map(|u| u.id).collect::<Vec<_>>(), vec![1, 2]);
    assert!(config.users.iter().all(|u| u.password_hash.starts_with("$argon2id$")), "only hashes are stored");
    assert_eq!(config.bill_profiles.len(), 2);
    assert_eq!(config.product_categories[0].id, 7);
    assert_eq!(config.line_types.iter().map(|l| l.id).collect::<Vec<_>>(), vec![3, 4]);
    assert_eq!(config.product_types.len(), 3);
    assert!(config.product_types.iter().any(|t| t.code == "DEVICE" && t.requires_shipping));
    let sim = config.providers.iter().find(|p| p.code == "SIMWIRELESS").unwrap();
    assert_eq!(sim.adapter, "simulated");
    assert_eq!(sim.adapter_settings["confirm_after_ms"], 50);
    assert_eq!(sim.adapter_settings["mdn_prefix"], "555");
    assert_eq!(config.processes[1].routes.len(), 2);
    assert_eq!(config.unavailable_reasons.len(), 2);
    assert_eq!(config.custom_fields[0].label, "Plan Tier");
    assert_eq!(config.products.len(), 5);
    let p100 = config.products.iter().find(|p| p.id == 100).unwrap();
    assert_eq!(p100.rate.to_string(), "35.00");
    assert_eq!(p100.attributes.len(), 2);
    assert_eq!(p100.wireless.as_ref().unwrap().allowances[0].quantity, Some(5120));
    assert!(!config.products.iter().find(|p| p.id == 104).unwrap().active);
    assert_eq!(config.packages.iter().find(|p| p.id == 1000).unwrap().products, vec![100, 101]);

    let again = apply_str(&*store, "settings.toml", EXAMPLE).await.unwrap();
    assert_eq!(again, ApplyReport { changed: vec![], unchanged: vec!["acme".into(), "globex".into()] });
    assert_eq!(acme.config_version().await.unwrap(), version, "re-applying wrote nothing");

    let globex = store.client("globex").await.unwrap().unwrap();
    let (_, g) = globex.load_config().await.unwrap();
    assert_eq!(g.products.len(), 1);
    assert_eq!(g.products[0].name.as_deref(), Some("Globex Fiber 1G"));
}

async fn refused(text: &str) -> String {
    let store = store().await;
    let err = apply_str(&*store, "bad.toml", text).await.unwrap_err().to_string();
    assert!(store.clients().await.unwrap().is_empty(), "a bad file changes nothing: {err}");
    err
}

#[tokio::test]
async fn a_package_naming_a_missing_product_names_both() {
    let text = EXAMPLE.replace("products = [100, 101]", "products = [100, 999]");
    let line = text.lines().position(|l| l.contains("products = [100, 999]")).unwrap() + 1;
    let err = refused(&text).await;
    assert_eq!(err, format!("bad.toml:{line}: package 1000 names product 999, which does not exist"));
}

#[tokio::test]
async fn other_mistakes_are_named_with_their_line() {
    let cases = [
        ("rate = \"35.00\"", "rat = \"35.00\"", "unknown field `rat`"),
        ("adapter = \"manual\"", "adapter = \"carrier-pigeon\"", "adapter \"carrier-pigeon\""),
        (
            "provider = 10\n  product_type = 1\n  name = \"Unlimited",
            "provider = 77\n  product_type = 1\n  name = \"Unlimited",
            "names provider 77",
        ),
        ("rate = \"35.00\"", "rate = \"thirty\"", "not a decimal"),
        ("role = \"readonly\"", "role = \"superuser\"", "role \"superuser\""),
        ("state = \"TX\"", "state = \"Texas\"", "state \"Texas\""),
        ("customer_class = \"Residential\"", "customer_class = \"Martian\"", "customer_class"),
    ];
    for (from, to, expect) in cases {
        assert!(EXAMPLE.contains(from), "{from}");
        let text = EXAMPLE.replacen(from, to, 1);
        let err = refused(&text).await;
        assert!(err.starts_with("bad.toml:"), "{err}");
        let line: usize = err.split(':').nth(1).unwrap().parse().unwrap_or_else(|_| panic!("no line in {err}"));
        assert!(line > 0, "{err}");
        assert!(err.contains(expect), "{to}: {err}");
    }
    let err = refused("this is = not toml [").await;
    assert!(err.starts_with("bad.toml:1:"), "{err}");
}

#[tokio::test]
async fn user_id_0_is_the_systems() {
    let text = EXAMPLE.replacen("id = 1\n  username = \"api\"", "id = 0\n  username = \"api\"", 1);
    assert_ne!(text, EXAMPLE);
    let err = refused(&text).await;
    assert!(err.contains("user api: id 0 is the system's"), "{err}");
}

#[tokio::test]
async fn password_hashes_are_accepted_in_place_of_passwords() {
    let store = store().await;
    let hash = patchbay_core::auth::password::hash("correct horse battery");
    let text = EXAMPLE.replacen("password = \"correct horse battery\"", &format!("password_hash = \"{hash}\""), 1);
    apply_str(&*store, "hashed.toml", &text).await.unwrap();
    let (_, config) = store.client("acme").await.unwrap().unwrap().load_config().await.unwrap();
    assert_eq!(config.users[0].password_hash, hash);
    let bad = EXAMPLE.replacen("password = \"correct horse battery\"", "password_hash = \"$2b$12$notargon\"", 1);
    let err = refused(&bad).await;
    assert!(err.contains("argon2id"), "{err}");
}

/// The example file with accounts given to SIMWIRELESS (`accounts`) and HOSTEDVOICE (`more`).
fn with_accounts(accounts: &str, more: &str) -> String {
    let sim = "mdn_prefix = \"555\" }\n";
    let voice = "code = \"HOSTEDVOICE\"\n";
    assert!(EXAMPLE.contains(sim) && EXAMPLE.contains(voice));
    EXAMPLE.replacen(sim, &format!("{sim}  accounts = {accounts}\n"), 1).replacen(
        voice,
        &format!("{voice}  accounts = {more}\n"),
        1,
    )
}

#[tokio::test]
async fn provider_accounts_load_and_are_validated_with_their_line() {
    use patchbay_core::model::ProviderAccount;
    let store = store().await;
    let text = with_accounts(
        "[ { id = 1, name = \"Main\", default = true }, { id = 2, name = \"Wholesale\" } ]",
        "[ { id = 3, name = \"Voice\", default = false } ]",
    );
    apply_str(&*store, "accounts.toml", &text).await.unwrap();
    let (_, config) = store.client("acme").await.unwrap().unwrap().load_config().await.unwrap();
    let accounts = |code: &str| config.providers.iter().find(|p| p.code == code).unwrap().accounts.clone();
    assert_eq!(
        accounts("SIMWIRELESS"),
        vec![
            ProviderAccount { id: 1, name: "Main".into(), default: true },
            ProviderAccount { id: 2, name: "Wholesale".into(), default: false },
        ]
    );
    assert_eq!(accounts("HOSTEDVOICE"), vec![ProviderAccount { id: 3, name: "Voice".into(), default: false }]);
    assert!(accounts("INHOUSE").is_empty());
    let again = apply_str(&*store, "accounts.toml", &text).await.unwrap();
    assert!(again.changed.is_empty(), "re-applying changes nothing: {again:?}");

    let line_of = |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let cases = [
        (
            with_accounts(
                "[ { id = 1, name = \"A\", default = true }, { id = 2, name = \"B\", default = true } ]",
                "[]",
            ),
            "name = \"B\"",
            "provider SIMWIRELESS: account 2 is a second default; at most one account is the default",
        ),
        (
            with_accounts("[ { id = 1, name = \"A\" } ]", "[ { id = 1, name = \"B\" } ]"),
            "name = \"B\"",
            "provider HOSTEDVOICE: account id 1 is taken; account ids must be unique within a client",
        ),
        (
            with_accounts("[ { id = 0, name = \"A\" } ]", "[]"),
            "name = \"A\"",
            "provider SIMWIRELESS: account id 0 must be 1 or more",
        ),
        (with_accounts("[ { id = 1, name = \"A\", main = true } ]", "[]"), "name = \"A\"", "unknown field `main`"),
        (with_accounts("[ { name = \"A\" } ]", "[]"), "name = \"A\"", "missing field `id`"),
    ];
    for (text, needle, expect) in cases {
        let err = refused(&text).await;
        let line = line_of(&text, needle);
        assert!(err.starts_with(&format!("bad.toml:{line}: ")), "{expect}: {err}");
        assert!(err.contains(expect), "{expect}: {err}");
    }
}

/// `<name>:<line>` of the `header` table holding the first line containing `needle`, counted
/// from the text.
fn origin_in(text: &str, name: &str, header: &str, needle: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.contains(needle)).unwrap();
    let table = lines[..at].iter().rposition(|l| l.trim() == header).unwrap();
    Some(format!("{name}:{}", table + 1))
}

#[tokio::test]
async fn products_and_packages_name_their_origin_and_it_follows_the_file() {
    let store = store().await;
    apply_str(&*store, "settings.toml", EXAMPLE).await.unwrap();
    let acme = store.client("acme").await.unwrap().unwrap();
    let origins = |config: &patchbay_core::model::ClientConfig| {
        let product = |id| config.products.iter().find(|p| p.id == id).unwrap().origin.clone();
        let package = |id| config.packages.iter().find(|p| p.id == id).unwrap().origin.clone();
        (product(100), product(104), package(1000), package(1001))
    };
    let expected = |text: &str, name: &str| {
        (
            origin_in(text, name, "[[clients.products]]", "name = \"Unlimited Talk & Text\""),
            origin_in(text, name, "[[clients.products]]", "name = \"Hosted Seat\""),
            origin_in(text, name, "[[clients.packages]]", "name = \"Wireless Starter\""),
            origin_in(text, name, "[[clients.packages]]", "name = \"Hosted Voice Seat\""),
        )
    };
    let (version, config) = acme.load_config().await.unwrap();
    assert_eq!(origins(&config), expected(EXAMPLE, "settings.toml"));
    let from_file = |o: &Option<String>| o.as_deref().is_some_and(|o| o.starts_with("settings.toml:"));
    assert!(
        config.products.iter().all(|p| from_file(&p.origin)) && config.packages.iter().all(|p| from_file(&p.origin))
    );

    // The same file again: nothing written.
    let again = apply_str(&*store, "settings.toml", EXAMPLE).await.unwrap();
    assert!(again.changed.is_empty(), "{again:?}");
    assert_eq!(acme.config_version().await.unwrap(), version);

    // The same text under another name: every product and package now names it.
    let renamed = apply_str(&*store, "clients/acme.toml", EXAMPLE).await.unwrap();
    assert_eq!(renamed.changed, vec!["acme", "globex"]);
    let (version, config) = acme.load_config().await.unwrap();
    assert_eq!(origins(&config), expected(EXAMPLE, "clients/acme.toml"));
    let again = apply_str(&*store, "clients/acme.toml", EXAMPLE).await.unwrap();
    assert!(again.changed.is_empty(), "{again:?}");
    assert_eq!(acme.config_version().await.unwrap(), version);

    // Lines shifted by a comment at the top: the origins follow.
    let shifted = format!("# moved down\n# twice\n{EXAMPLE}");
    apply_str(&*store, "clients/acme.toml", &shifted).await.unwrap();
    let (_, config) = acme.load_config().await.unwrap();
    let now = origins(&config);
    assert_eq!(now, expected(&shifted, "clients/acme.toml"));
    assert_ne!(now, expected(EXAMPLE, "clients/acme.toml"));

    let (_, g) = store.client("globex").await.unwrap().unwrap().load_config().await.unwrap();
    assert_eq!(
        g.products[0].origin,
        origin_in(&shifted, "clients/acme.toml", "[[clients.products]]", "Globex Fiber 1G")
    );
}
