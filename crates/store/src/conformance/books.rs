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

/// The two combined steps of a dynamic allocation answer as their parts do: `ipam_start` the
/// lowest released offset first, else the mark (0 for a subnet never allocated); and
/// `ipam_claim_and_mark` moves the mark only when its claim took the address.
pub async fn combined_allocation_steps_answer_as_their_parts(store: Arc<dyn Store>) {
    use cerulean_domain::ipam::Start;
    let big: u128 = (1u128 << 64) + 5;
    let steps = write(&*store, move |tx| {
        let fresh = tx.ipam_start("/s/n")?;
        tx.ipam_set_mark("/s/n", big)?;
        let marked = tx.ipam_start("/s/n")?;
        tx.ipam_add_released("/s/n", 300)?;
        tx.ipam_add_released("/s/n", 9)?;
        let released = tx.ipam_start("/s/n")?;
        let took = tx.ipam_claim_and_mark("/s/n", big, "/a", big + 1)?;
        let after_take = tx.ipam_mark("/s/n")?;
        let held = tx.ipam_claim_and_mark("/s/n", big, "/b", big + 7)?;
        let after_held = tx.ipam_mark("/s/n")?;
        let first = tx.ipam_claim_and_mark("/s/m", 4, "/c", 5)?;
        Ok::<_, StoreError>((
            fresh,
            marked,
            released,
            (took, after_take),
            (held, after_held),
            (first, tx.ipam_mark("/s/m")?),
            (tx.ipam_owner("/s/n", big)?, tx.ipam_owner("/s/m", 4)?),
        ))
    })
    .await
    .unwrap();
    assert_eq!(
        steps,
        (
            Start::Mark(0),
            Start::Mark(big),
            Start::Released(9),
            (true, big + 1),
            (false, big + 1),
            (true, 5),
            (Some("/a".to_string()), Some("/c".to_string())),
        )
    );
}
