//! Concurrent write transactions: on SQLite they share commits (group commit, see the
//! `sqlite` module docs), on PostgreSQL each commits alone; either way every acknowledged
//! commit is durable, and each transaction succeeds or fails on its own. Each test gets a
//! fresh database from `testing::fresh_database_url`.

use patchbay_api::customers::{CustomerStatus, CustomerType};
use patchbay_core::error::StoreError;
use patchbay_core::model::{AuditRecord, ClientInfo, CustomerRecord, EventRecord};
use patchbay_core::store::{ClientDb, Store};
use patchbay_schema::DateTime;
use patchbay_store::testing::fresh_database_url;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

async fn with_client() -> (String, Arc<dyn Store>, Arc<dyn ClientDb>) {
    let url = fresh_database_url().await;
    let store = patchbay_store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.put_client(&ClientInfo { code: "acme".into(), name: "Acme".into(), session_idle_minutes: 30 }).await.unwrap();
    let db = store.client("acme").await.unwrap().unwrap();
    (url, store, db)
}

fn at() -> DateTime {
    DateTime::from_unix(1_700_000_000).unwrap()
}

fn customer(id: i32, name: &str) -> CustomerRecord {
    CustomerRecord {
        id,
        class: CustomerType::Residential,
        first_name: Some(name.into()),
        last_name: None,
        company_name: None,
        status: CustomerStatus::Pending,
        bill_profile_id: None,
        service_address: None,
        fields: vec![],
        created_at: at(),
    }
}

fn audit(id: i32) -> AuditRecord {
    AuditRecord {
        at: at(),
        user_id: 1,
        on_behalf_of_user_id: None,
        operation: "Customers_Create".into(),
        entity: "customer".into(),
        entity_ids: vec![id.into()],
    }
}

/// begin → next_id → insert_customer → audit → commit; the customer's id once acknowledged.
async fn create(db: &dyn ClientDb, name: &str) -> i32 {
    let mut tx = db.begin().await.unwrap();
    let id = tx.next_id("customer").await.unwrap();
    tx.insert_customer(&customer(id, name)).await.unwrap();
    tx.audit(&audit(id)).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// Lets spawned tasks run up to their first wait.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(50)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_commits_are_all_durable() {
    let (url, store, db) = with_client().await;
    let tasks: Vec<_> = (0..32)
        .map(|t| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..20 {
                    ids.push(create(&*db, &format!("{t}-{i}")).await);
                }
                ids
            })
        })
        .collect();
    let mut acknowledged = Vec::new();
    for task in tasks {
        let ids = task.await.unwrap();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids grow within a task: {ids:?}");
        acknowledged.extend(ids);
    }
    let unique: HashSet<i32> = acknowledged.iter().copied().collect();
    assert_eq!(unique.len(), 640, "ids are unique");
    assert_eq!(unique, (1..=640).collect(), "and none is skipped");
    drop(db);
    store.close().await;

    // A new store on the same database finds every acknowledged commit.
    let store = patchbay_store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    let db = store.client("acme").await.unwrap().unwrap();
    for &id in &acknowledged {
        assert!(db.customer(id).await.unwrap().is_some(), "customer {id} survived");
    }
    let mut tx = db.begin().await.unwrap();
    assert_eq!(tx.next_id("customer").await.unwrap(), 641, "the counter survived with them");
    drop(tx);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rollback_in_a_busy_batch_leaves_the_others_committed() {
    let (_url, store, db) = with_client().await;
    // The first transaction holds the writer while the others queue behind it, so on SQLite
    // they all land in one batch; the odd ones write and then drop without committing.
    let mut first = db.begin().await.unwrap();
    first.insert_customer(&customer(1000, "first")).await.unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|t| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                tx.insert_customer(&customer(2000 + t, "queued")).await.unwrap();
                tx.audit(&audit(2000 + t)).await.unwrap();
                if t % 2 == 1 {
                    drop(tx);
                    false
                } else {
                    tx.commit().await.unwrap();
                    true
                }
            })
        })
        .collect();
    settle().await;
    first.commit().await.unwrap();
    let mut committed = vec![1000];
    for (t, task) in (0..).zip(tasks) {
        if task.await.unwrap() {
            committed.push(2000 + t);
        }
    }
    assert_eq!(committed.len(), 9);
    for id in (0..16).map(|t| 2000 + t).chain([1000]) {
        assert_eq!(db.customer(id).await.unwrap().is_some(), committed.contains(&id), "customer {id}");
    }
    // And the writer goes on: a lone transaction after the batch.
    create(&*db, "after").await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_error_in_one_transaction_does_not_affect_the_others() {
    let (_url, store, db) = with_client().await;
    create(&*db, "taken").await; // customer 1

    let mut first = db.begin().await.unwrap();
    first.insert_customer(&customer(100, "first")).await.unwrap();
    // A duplicate id: the statement fails, the caller gives up.
    let duplicate = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            tx.insert_customer(&customer(101, "written before the error")).await.unwrap();
            let err = tx.insert_customer(&customer(1, "duplicate")).await.unwrap_err();
            assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        })
    };
    // A deferred foreign key broken (no bill profile 999): refused at its commit, alone.
    let broken_reference = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            tx.insert_customer(&CustomerRecord { bill_profile_id: Some(999), ..customer(102, "dangling") })
                .await
                .unwrap();
            let err = tx.commit().await.unwrap_err();
            assert!(err.to_string().to_lowercase().contains("foreign key"), "{err}");
        })
    };
    // A write held until commit (an event: nothing reads it back) that breaks a key: refused
    // at its commit, alone, with the rest of its transaction.
    let broken_at_commit = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            tx.insert_customer(&customer(104, "held")).await.unwrap();
            let twice = EventRecord {
                seq: 1,
                id: "evt-1".into(),
                name: "order.created".into(),
                order_id: None,
                item_id: None,
                at_ms: 0,
                data: serde_json::Value::Null,
            };
            let failed = match tx.insert_events(&[twice.clone(), twice], &[]).await {
                Err(e) => Err(e),
                Ok(()) => tx.commit().await,
            };
            assert!(failed.is_err());
        })
    };
    let last = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            tx.insert_customer(&customer(103, "last")).await.unwrap();
            tx.commit().await.unwrap();
        })
    };
    settle().await;
    first.commit().await.unwrap();
    duplicate.await.unwrap();
    broken_reference.await.unwrap();
    broken_at_commit.await.unwrap();
    last.await.unwrap();

    for (id, kept) in [(1, true), (100, true), (101, false), (102, false), (103, true), (104, false)] {
        assert_eq!(db.customer(id).await.unwrap().is_some(), kept, "customer {id}");
    }
    assert_eq!(db.customer(1).await.unwrap().unwrap().first_name.as_deref(), Some("taken"));
    store.close().await;
}

#[tokio::test]
async fn a_lone_commit_is_visible_to_readers_at_once() {
    let (_url, store, db) = with_client().await;
    for i in 0..20 {
        let started = std::time::Instant::now();
        let id = create(&*db, &format!("lone {i}")).await;
        let elapsed = started.elapsed();
        // Read through the reader pool, right after the acknowledgement.
        let c = db.customer(id).await.unwrap().expect("visible once acknowledged");
        assert_eq!(c.first_name, Some(format!("lone {i}")));
        assert!(elapsed < Duration::from_secs(2), "no timer: {elapsed:?}");
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dropped_transaction_alone_frees_the_writer() {
    let (url, store, db) = with_client().await;
    {
        let mut tx = db.begin().await.unwrap();
        tx.insert_customer(&customer(5, "dropped")).await.unwrap();
    }
    // Nothing else was in its batch: it is all rolled back, and another store on the same
    // database (standing for another process) can write at once.
    let other = patchbay_store::open(&url).await.unwrap();
    let db2 = other.client("acme").await.unwrap().unwrap();
    let id = tokio::time::timeout(Duration::from_secs(3), create(&*db2, "other process")).await.expect("not blocked");
    // On PostgreSQL the counter is raised outside the transaction (it is never locked until a
    // COMMIT), so the dropped write's id 5 stays taken: a gap, never an id handed out twice.
    let first = if url.starts_with("postgres") { 6 } else { 1 };
    assert_eq!(id, first);
    assert!(db.customer(5).await.unwrap().is_none());
    assert_eq!(create(&*db, "next").await, first + 1);
    other.close().await;
    store.close().await;
}

/// A transaction whose caller gives up at any point (a request dropped when its client hangs
/// up) changes nothing of the others committing alongside it, and leaves the writer usable:
/// on SQLite its statements and its savepoint's opening and closing travel with each other,
/// and whatever reached the connection is undone (or, once released, committed with its
/// batch).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_transaction_given_up_midway_leaves_the_others_and_the_writer_sound() {
    let (_url, store, db) = with_client().await;
    let mut kept = Vec::new();
    for round in 0..40 {
        let steady: Vec<_> = (0..3)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move { create(&*db, &format!("steady {round}-{i}")).await })
            })
            .collect();
        // Below the ids handed out after it (an explicit id raises the counter past it).
        let id = 1_000_000 - round;
        let given_up = {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                tx.insert_customer(&customer(id, "given up")).await.unwrap();
                // A read after a held write: both go out in one call on SQLite.
                assert!(tx.customer_for_update(id).await.unwrap().is_some());
                tx.audit(&audit(id)).await.unwrap();
                tx.commit().await.unwrap();
            })
        };
        // Given up somewhere between its start and its acknowledgement, a different place
        // each round.
        let until = std::time::Instant::now() + Duration::from_micros(150 * (round % 10) as u64);
        while std::time::Instant::now() < until {
            tokio::task::yield_now().await;
        }
        given_up.abort();
        for t in steady {
            kept.push(t.await.expect("a transaction alongside the one given up commits"));
        }
        let finished = given_up.await.is_ok();
        let stored = db.customer(id).await.unwrap();
        if finished {
            assert!(stored.is_some(), "round {round}: acknowledged, so stored");
        }
        if let Some(c) = stored {
            assert_eq!(c.first_name.as_deref(), Some("given up"), "round {round}: all of it or nothing");
        }
    }
    // Every acknowledged commit is there, and the writer still takes new transactions.
    for id in &kept {
        assert!(db.customer(*id).await.unwrap().is_some(), "customer {id}");
    }
    let after = create(&*db, "after").await;
    assert!(db.customer(after).await.unwrap().is_some());
    store.close().await;
}
