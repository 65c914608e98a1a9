//! Who holds which address, as SQLite keeps it (`ip_allocations`, schema v8): a row is keyed
//! by its book's number (`ip_books`) and a compact offset, not by the subnet's 130-byte key and
//! 32 hex digits. A row was about 320 bytes, so a leaf held a dozen and a batch of creates
//! split leaves all over the table (half the pages a commit wrote); now it is the owner's id
//! and a few bytes. The books keep their keys everywhere else (`ip_marks`, `ip_released`,
//! the `Tx` API): those are written once per batch or seldom.
//!
//! The primary key (book, offset) is still the database's own check that no address has two
//! holders, and `ip_books.subnet_key` is unique, so a book has one number.

use super::backend;
use super::cache::WriterCache;
use super::conn::Conn;
use crate::StoreError;
use rusqlite::{params, OptionalExtension};

/// An offset as its key in `ip_allocations`: its length in bytes, then its big-endian bytes
/// without leading zeros. Byte-wise order is numeric order (a shorter number is smaller, and
/// numbers of one length compare digit by digit); an IPv4 offset takes 2 to 5 bytes.
pub(super) struct OffsetKey {
    bytes: [u8; 17],
    len: usize,
}

impl OffsetKey {
    pub(super) fn new(offset: u128) -> Self {
        let digits = 16 - offset.leading_zeros() as usize / 8;
        let mut bytes = [0u8; 17];
        bytes[0] = digits as u8;
        bytes[1..=digits].copy_from_slice(&offset.to_be_bytes()[16 - digits..]);
        OffsetKey {
            bytes,
            len: 1 + digits,
        }
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    pub(super) fn parse(key: &[u8]) -> Result<u128, StoreError> {
        let corrupt = || StoreError::Corrupt(format!("address offset key {key:02x?}"));
        let (&len, digits) = key.split_first().ok_or_else(corrupt)?;
        if usize::from(len) != digits.len() || digits.len() > 16 || digits.first() == Some(&0) {
            return Err(corrupt());
        }
        Ok(digits.iter().fold(0, |n, &d| n << 8 | u128::from(d)))
    }
}

/// The number `book` was given, or a new one if it has none yet.
fn stored_or_new_number(conn: &Conn, book: &str) -> Result<i64, StoreError> {
    let found = conn
        .prepare_cached("SELECT n FROM ip_books WHERE subnet_key = ?1")
        .map_err(backend)?
        .query_row([book], |r| r.get(0))
        .optional()
        .map_err(backend)?;
    match found {
        Some(n) => Ok(n),
        None => conn
            .prepare_cached("INSERT INTO ip_books (subnet_key) VALUES (?1) RETURNING n")
            .map_err(backend)?
            .query_row([book], |r| r.get(0))
            .map_err(backend),
    }
}

/// Records that `owner` holds `offset` unless someone does; true if it was free. A book gets
/// its number with its first claim; the writer remembers the numbers (`WriterCache::book`).
pub(super) fn claim_if_free(
    conn: &Conn,
    cache: Option<&mut WriterCache>,
    book: &str,
    offset: u128,
    owner: &str,
) -> Result<bool, StoreError> {
    let n = match cache.as_deref().and_then(|c| c.book(book)) {
        Some(n) => n,
        None => {
            let n = stored_or_new_number(conn, book)?;
            if let Some(c) = cache {
                c.keep_book(book, n);
            }
            n
        }
    };
    let inserted = conn
        .prepare_cached(
            "INSERT INTO ip_allocations (book, offset_key, owner_key) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
        )
        .map_err(backend)?
        .execute(params![n, OffsetKey::new(offset).as_bytes(), owner])
        .map_err(backend)?;
    Ok(inserted == 1)
}

pub(super) fn owner(conn: &Conn, book: &str, offset: u128) -> Result<Option<String>, StoreError> {
    conn.prepare_cached(
        "SELECT owner_key FROM ip_allocations
         WHERE book = (SELECT n FROM ip_books WHERE subnet_key = ?1) AND offset_key = ?2",
    )
    .map_err(backend)?
    .query_row(params![book, OffsetKey::new(offset).as_bytes()], |r| {
        r.get(0)
    })
    .optional()
    .map_err(backend)
}

pub(super) fn free(conn: &Conn, book: &str, offset: u128) -> Result<(), StoreError> {
    conn.prepare_cached(
        "DELETE FROM ip_allocations
         WHERE book = (SELECT n FROM ip_books WHERE subnet_key = ?1) AND offset_key = ?2",
    )
    .map_err(backend)?
    .execute(params![book, OffsetKey::new(offset).as_bytes()])
    .map_err(backend)?;
    Ok(())
}

pub(super) fn used(conn: &Conn, book: &str) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "SELECT COUNT(*) FROM ip_allocations
         WHERE book = (SELECT n FROM ip_books WHERE subnet_key = ?1)",
    )
    .map_err(backend)?
    .query_row([book], |r| r.get(0))
    .map_err(backend)
}

pub(super) fn holders(
    conn: &Conn,
    book: &str,
    limit: usize,
) -> Result<Vec<(u128, String)>, StoreError> {
    let mut st = conn
        .prepare_cached(
            "SELECT offset_key, owner_key FROM ip_allocations
             WHERE book = (SELECT n FROM ip_books WHERE subnet_key = ?1)
             ORDER BY offset_key LIMIT ?2",
        )
        .map_err(backend)?;
    let rows = st
        .query_map(
            params![book, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| Ok((OffsetKey::parse(r.get_ref(0)?.as_blob()?), r.get(1)?)),
        )
        .map_err(backend)?;
    rows.map(|r| {
        let (offset, owner) = r.map_err(backend)?;
        Ok((offset?, owner))
    })
    .collect()
}

/// Forgets who holds what in a book, and its number (the caller forgets the rest).
pub(super) fn drop_allocations(conn: &Conn, book: &str) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM ip_allocations WHERE book = (SELECT n FROM ip_books WHERE subnet_key = ?1)",
        "DELETE FROM ip_books WHERE subnet_key = ?1",
    ] {
        conn.prepare_cached(sql)
            .map_err(backend)?
            .execute([book])
            .map_err(backend)?;
    }
    Ok(())
}

/// The books keeping any state (an address held or released, a mark), in key order after
/// `after`, at most `limit`. A book keeps its number once its addresses are freed (or when its
/// first claim found the address taken), so holding one is what counts.
pub(super) fn books(conn: &Conn, after: &str, limit: usize) -> Result<Vec<String>, StoreError> {
    let mut st = conn
        .prepare_cached(
            "SELECT subnet_key FROM ip_books b WHERE subnet_key > ?1
                 AND EXISTS (SELECT 1 FROM ip_allocations WHERE book = b.n)
             UNION SELECT subnet_key FROM ip_released WHERE subnet_key > ?1
             UNION SELECT subnet_key FROM ip_marks WHERE subnet_key > ?1
             ORDER BY 1 LIMIT ?2",
        )
        .map_err(backend)?;
    let rows = st
        .query_map(
            params![after, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| r.get::<_, String>(0),
        )
        .map_err(backend)?;
    rows.map(|r| r.map_err(backend)).collect()
}

#[cfg(test)]
mod tests {
    use super::OffsetKey;

    fn samples() -> Vec<u128> {
        let mut v: Vec<u128> = (0..=600).collect();
        for shift in 1..128 {
            let p = 1u128 << shift;
            v.extend([p - 1, p, p + 1]);
        }
        v.extend([u128::MAX - 1, u128::MAX]);
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn offset_keys_sort_as_their_numbers_and_read_back() {
        let keys: Vec<Vec<u8>> = samples()
            .into_iter()
            .map(|o| OffsetKey::new(o).as_bytes().to_vec())
            .collect();
        for (o, k) in samples().into_iter().zip(&keys) {
            assert_eq!(OffsetKey::parse(k).unwrap(), o);
        }
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(OffsetKey::new(0).as_bytes(), [0]);
        assert_eq!(OffsetKey::new(4).as_bytes(), [1, 4]);
        assert_eq!(OffsetKey::new(0x1_0000).as_bytes(), [3, 1, 0, 0]);
    }

    #[test]
    fn malformed_offset_keys_are_corrupt_not_misread() {
        for bad in [&[][..], &[2, 1], &[1, 0], &[0, 5], &[17; 18]] {
            assert!(OffsetKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    /// The migration computes the same keys from the hex digits the rows had.
    #[test]
    fn the_migrations_sql_spells_offset_keys_as_rust_does() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut st = conn
            .prepare(concat!("SELECT ", crate::migrate::offset_key_of_hex!("?1")))
            .unwrap();
        for o in samples() {
            let hex = crate::record::offset_hex(o);
            let key: Vec<u8> = st.query_row([hex.as_str()], |r| r.get(0)).unwrap();
            assert_eq!(key, OffsetKey::new(o).as_bytes(), "{o:#x}");
        }
    }
}
