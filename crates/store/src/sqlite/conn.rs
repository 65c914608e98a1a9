//! A connection with its statements kept prepared, found by the address of their SQL.
//!
//! rusqlite's own cache (`prepare_cached`) finds a statement by its text: SipHash over the
//! SQL twice per use (a lookup and a re-insert into its LRU list) and an `Arc<str>` of it
//! allocated each time, about 1.5k instructions a statement, 4.4k of the writer's job for a
//! NIC create, where every microsecond is serial. Our statements are literals, so their
//! address and length name them: a lookup hashes two words. SQL built at run time still goes
//! through rusqlite's cache ([`Conn::prepare_dynamic`]).

use super::cache::Map;
use rusqlite::{Connection, PrepFlags, Statement};
use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

/// Statements kept at most; past it, all are finalized and prepared again as used (our SQL
/// is a fixed set of literals, far fewer than this).
const MAX_STATEMENTS: usize = 256;

pub(super) struct Conn {
    /// Idle statements of `conn`, by their SQL's address and length. Declared before `conn`
    /// so that they are finalized before it closes (fields drop in declaration order).
    idle: RefCell<Map<(usize, usize), Statement<'static>>>,
    /// Boxed: the statements point at the `Connection`, which must not move when `Conn` does.
    conn: Box<Connection>,
}

// SAFETY: a `Statement` is not `Send` only because it borrows its `Connection`, which is not
// `Sync`. Every statement here borrows the connection this value owns, and they move to
// another thread together; `Conn` is not `Sync` (`RefCell`), so no two threads use them at
// once. rusqlite's own statement cache is `Send` for the same reason.
unsafe impl Send for Conn {}

impl Conn {
    pub(super) fn new(conn: Connection) -> Self {
        Conn {
            idle: RefCell::default(),
            conn: Box::new(conn),
        }
    }

    /// A prepared statement for `sql`, kept for the next use once dropped.
    pub(super) fn prepare_cached(&self, sql: &'static str) -> rusqlite::Result<Stmt<'_>> {
        // Two literals may start at one address (one the other's prefix): the length tells
        // them apart.
        let key = (sql.as_ptr() as usize, sql.len());
        let kept = self.idle.borrow_mut().remove(&key);
        let stmt = match kept {
            // Shortening `'static` to `self`'s lifetime is plain subtyping.
            Some(stmt) => stmt,
            // Long-lived: SQLite then takes its memory from the heap, not from the small
            // lookaside pool that each execution's values would otherwise find used up.
            None => self
                .conn
                .prepare_with_flags(sql, PrepFlags::SQLITE_PREPARE_PERSISTENT)?,
        };
        Ok(Stmt {
            stmt: Some(stmt),
            key,
            home: self,
        })
    }

    /// A statement whose SQL was built at run time (rusqlite's cache, by its text).
    pub(super) fn prepare_dynamic(
        &self,
        sql: &str,
    ) -> rusqlite::Result<rusqlite::CachedStatement<'_>> {
        self.conn.prepare_cached(sql)
    }

    /// Runs a statement that binds nothing and returns no rows (`BEGIN`, `COMMIT`, a
    /// savepoint), prepared once instead of parsed again by `execute_batch`.
    pub(super) fn run(&self, sql: &'static str) -> rusqlite::Result<()> {
        self.prepare_cached(sql)?.execute([]).map(|_| ())
    }

    fn keep(&self, key: (usize, usize), stmt: Statement<'_>) {
        // Its bound values stay until the next use binds every parameter again (rusqlite
        // checks the count): clearing them freed each text's buffer only for the next bind
        // to allocate it again, 1k instructions a statement.
        // SAFETY: the statement was prepared on `self.conn` (by `prepare_cached` above), which
        // `self` owns in a box that outlives `idle` (drop order), so the borrow it holds stays
        // valid for as long as the statement is kept; it leaves `idle` only through
        // `prepare_cached`, with its lifetime shortened again to a borrow of `self`.
        let stmt: Statement<'static> = unsafe { std::mem::transmute(stmt) };
        let mut idle = self.idle.borrow_mut();
        if idle.len() >= MAX_STATEMENTS {
            idle.clear();
        }
        // A second statement of the same SQL in use at once (nested) was prepared afresh:
        // one of the two is kept.
        idle.insert(key, stmt);
    }
}

impl Deref for Conn {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

/// A statement in use; back among the idle ones when dropped.
pub(super) struct Stmt<'c> {
    stmt: Option<Statement<'c>>,
    key: (usize, usize),
    home: &'c Conn,
}

impl<'c> Deref for Stmt<'c> {
    type Target = Statement<'c>;
    fn deref(&self) -> &Statement<'c> {
        self.stmt.as_ref().expect("a statement in use")
    }
}

impl DerefMut for Stmt<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.stmt.as_mut().expect("a statement in use")
    }
}

impl Drop for Stmt<'_> {
    fn drop(&mut self) {
        if let Some(stmt) = self.stmt.take() {
            self.home.keep(self.key, stmt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Conn;

    fn conn() -> Conn {
        let c = Conn::new(rusqlite::Connection::open_in_memory().unwrap());
        c.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)")
            .unwrap();
        c
    }

    #[test]
    fn a_statement_is_prepared_once_and_used_again() {
        let c = conn();
        for i in 0..3 {
            c.prepare_cached("INSERT INTO t (k, v) VALUES (?1, ?2)")
                .unwrap()
                .execute(rusqlite::params![format!("k{i}"), i])
                .unwrap();
        }
        assert_eq!(c.idle.borrow().len(), 1);
        let sum: i64 = c
            .prepare_cached("SELECT SUM(v) FROM t")
            .unwrap()
            .query_row([], |r| r.get(0))
            .unwrap();
        assert_eq!(sum, 3);
        assert_eq!(c.idle.borrow().len(), 2);
    }

    /// Two literals sharing their start (one a prefix of the other, as a linker may lay
    /// them out) are two statements: the length is part of the key.
    #[test]
    fn a_prefix_of_a_statement_is_another_statement() {
        let c = conn();
        const LONG: &str = "SELECT COUNT(*) FROM t WHERE v > 0";
        let short = &LONG[..22]; // "SELECT COUNT(*) FROM t"
        let short: &'static str = short;
        c.run("INSERT INTO t (k, v) VALUES ('a', 0)").unwrap();
        let count = |sql: &'static str| -> i64 {
            c.prepare_cached(sql)
                .unwrap()
                .query_row([], |r| r.get(0))
                .unwrap()
        };
        assert_eq!((count(LONG), count(short), count(LONG)), (0, 1, 0));
    }

    /// The same statement used while it is in use (a nested use) gets its own statement.
    #[test]
    fn a_statement_in_use_is_not_handed_out_twice() {
        let c = conn();
        c.run("INSERT INTO t (k, v) VALUES ('a', 1), ('b', 2)")
            .unwrap();
        const SQL: &str = "SELECT v FROM t ORDER BY k";
        let mut outer = c.prepare_cached(SQL).unwrap();
        let mut rows = outer.query([]).unwrap();
        let first: i64 = rows.next().unwrap().unwrap().get(0).unwrap();
        let inner: Vec<i64> = c
            .prepare_cached(SQL)
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let second: i64 = rows.next().unwrap().unwrap().get(0).unwrap();
        assert_eq!((first, inner, second), (1, vec![1, 2], 2));
    }

    /// A connection moves to another thread with its statements, and they still work there.
    #[test]
    fn a_connection_and_its_statements_move_together() {
        let c = conn();
        c.run("INSERT INTO t (k, v) VALUES ('a', 7)").unwrap();
        let read = |c: &Conn| -> i64 {
            c.prepare_cached("SELECT v FROM t WHERE k = 'a'")
                .unwrap()
                .query_row([], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(read(&c), 7);
        let moved = Box::new(c);
        let v = std::thread::spawn(move || read(&moved)).join().unwrap();
        assert_eq!(v, 7);
    }
}
