//! The conformance cases of the secrets table (`Tx::secret_*`): what servers sharing a store
//! rely on to agree on one signing key and to redeem a one-time code once.

use crate::{read, write, Secret, Store, StoreError};
use std::sync::Arc;

fn secret(value: &str, forget_after_ms: Option<i64>) -> Secret {
    Secret {
        value: value.into(),
        forget_after_ms,
    }
}

pub async fn secrets_insert_once_take_once_and_survive_reset(store: Arc<dyn Store>) {
    let first = write(&*store, |tx| tx.secret_insert("key", &secret("a", None)))
        .await
        .unwrap();
    let second = write(&*store, |tx| tx.secret_insert("key", &secret("b", None)))
        .await
        .unwrap();
    assert!(first && !second, "an existing secret is never replaced");
    let got = read(&*store, |tx| tx.secret_get("key")).await.unwrap();
    assert_eq!(got, Some(secret("a", None)));
    assert_eq!(
        read(&*store, |tx| tx.secret_get("missing")).await.unwrap(),
        None
    );

    write(&*store, |tx| tx.reset()).await.unwrap();
    let kept = read(&*store, |tx| tx.secret_get("key")).await.unwrap();
    assert_eq!(kept, Some(secret("a", None)), "reset keeps secrets");

    let taken = write(&*store, |tx| tx.secret_take("key")).await.unwrap();
    assert_eq!(taken, Some(secret("a", None)));
    let again = write(&*store, |tx| tx.secret_take("key")).await.unwrap();
    assert_eq!(again, None, "a secret is taken once");
}

pub async fn racing_secret_inserts_agree_on_one_value(store: Arc<dyn Store>) {
    let mut handles = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mine = format!("candidate-{i}");
            // What a starting server does: keep the stored value, or store its own.
            write(&*store, move |tx| {
                if let Some(s) = tx.secret_get("signing-key")? {
                    return Ok::<_, StoreError>(s.value);
                }
                tx.secret_insert("signing-key", &secret(&mine, None))?;
                Ok(tx
                    .secret_get("signing-key")?
                    .map(|s| s.value)
                    .unwrap_or_default())
            })
            .await
            .unwrap()
        }));
    }
    let mut seen = Vec::new();
    for h in handles {
        seen.push(h.await.unwrap());
    }
    seen.dedup();
    assert_eq!(seen.len(), 1, "every server got the same value: {seen:?}");
    assert!(seen[0].starts_with("candidate-"));
}

pub async fn racing_secret_takes_have_one_winner(store: Arc<dyn Store>) {
    write(&*store, |tx| {
        tx.secret_insert("code", &secret("c", Some(5)))
    })
    .await
    .unwrap();
    let mut handles = Vec::new();
    for _ in 0..16 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            write(&*store, |tx| tx.secret_take("code")).await.unwrap()
        }));
    }
    let mut wins = 0;
    for h in handles {
        if let Some(s) = h.await.unwrap() {
            assert_eq!(s, secret("c", Some(5)));
            wins += 1;
        }
    }
    assert_eq!(wins, 1);
}

pub async fn secrets_prune_by_expiry_and_count_by_prefix(store: Arc<dyn Store>) {
    write(&*store, |tx| {
        tx.secret_insert("code:old", &secret("1", Some(1_000)))?;
        tx.secret_insert("code:new", &secret("2", Some(3_000)))?;
        tx.secret_insert("code_x", &secret("3", Some(1_000)))?;
        tx.secret_insert("key", &secret("4", None))?;
        Ok::<_, StoreError>(())
    })
    .await
    .unwrap();
    let counts = read(&*store, |tx| {
        Ok::<_, StoreError>((tx.secret_count("code:")?, tx.secret_count("code")?))
    })
    .await
    .unwrap();
    assert_eq!(counts, (2, 3), "a prefix is a prefix, `_` included");
    let pruned = write(&*store, |tx| tx.secret_prune(2_000)).await.unwrap();
    assert_eq!(pruned, 2);
    let left = read(&*store, |tx| {
        Ok::<_, StoreError>((
            tx.secret_get("code:old")?,
            tx.secret_get("code:new")?,
            tx.secret_get("key")?,
        ))
    })
    .await
    .unwrap();
    assert_eq!(
        left,
        (
            None,
            Some(secret("2", Some(3_000))),
            Some(secret("4", None))
        )
    );
}
