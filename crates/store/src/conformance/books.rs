//! The list of address books with state, which the consistency check (`cerulean check`)
//! walks to find the books of subnets that are gone.

use crate::{read, write, Store, StoreError};
use std::sync::Arc;

pub async fn address_books_with_any_state_are_listed(store: Arc<dyn Store>) {
    write(&*store, |tx| {
        tx.ipam_claim("/s/b", 4, "/x")?;
        tx.ipam_add_released("/s/c", 5)?;
        tx.ipam_set_mark("/s/a", 6)?;
        tx.ipam_set_mark("/s/b", 6)?;
        tx.ipam_claim("/s/b#ipv6", 4, "/y")?;
        Ok::<_, StoreError>(())
    })
    .await
    .unwrap();
    let all = read(&*store, |tx| tx.ipam_books(None, 10)).await.unwrap();
    assert_eq!(all, ["/s/a", "/s/b", "/s/b#ipv6", "/s/c"]);
    let page = read(&*store, |tx| tx.ipam_books(Some("/s/a"), 2))
        .await
        .unwrap();
    assert_eq!(page, ["/s/b", "/s/b#ipv6"]);
    write(&*store, |tx| tx.ipam_drop("/s/b")).await.unwrap();
    let left = read(&*store, |tx| tx.ipam_books(None, 10)).await.unwrap();
    assert_eq!(left, ["/s/a", "/s/b#ipv6", "/s/c"]);
}
