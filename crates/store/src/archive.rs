//! The raw archive, `raw_responses`: every answer (and failed attempt) is
//! appended by the load path in the transaction that stores its
//! observations, and read back a page at a time by `trends renormalize`.
//! A body is kept as the bytes the API sent (BLOB, since migration 0011),
//! so it matches its `sha256` and renormalize parses what collect parsed.

use chrono::{DateTime, Utc};
use duckdb::{Connection, params};
use sha2::{Digest, Sha256};
use trends_core::{Outcome, RequestSpec};

use crate::{AnswerRecord, Result, RunId, StoreError, q};

/// An archived response, as `trends renormalize` reads it back.
#[derive(Debug, Clone)]
pub struct Archived {
    pub id: i64,
    pub run_id: RunId,
    pub spec: RequestSpec,
    /// The URL it was fetched from (without secrets).
    pub url: String,
    pub status: Option<u16>,
    pub fetched_at: DateTime<Utc>,
    /// The body's bytes as archived.
    pub body: Option<Vec<u8>>,
    /// Whether `body` is the answer's bytes exactly: always, for a body
    /// archived since migration 0011; for one archived before as text, only
    /// when that text was the body (it hashes to the row's `sha256`);
    /// `None` when no body came.
    pub body_exact: Option<bool>,
    pub outcome: Outcome,
    pub error: Option<String>,
}

/// Appends the answers' responses to `raw_responses` in `tx` and returns
/// their ids, in order. The ids come from the table's sequence, reserved in
/// one statement; the rows then go in through the Appender rather than one
/// INSERT each.
pub(crate) fn append(
    tx: &duckdb::Transaction<'_>,
    run: RunId,
    answers: &[AnswerRecord<'_>],
) -> Result<Vec<i64>> {
    let doing = "archiving responses";
    let ids: Vec<i64> = {
        let mut stmt = tx
            .prepare("SELECT nextval('raw_responses_id_seq') FROM range(?)")
            .map_err(q(doing))?;
        stmt.query_map(params![answers.len() as i64], |r| r.get(0))
            .map_err(q(doing))?
            .collect::<std::result::Result<_, _>>()
            .map_err(q(doing))?
    };
    let mut app = tx.appender("raw_responses").map_err(q(doing))?;
    for (answer, raw_id) in answers.iter().zip(&ids) {
        let raw = &answer.raw;
        debug_assert!(
            raw.outcome == Outcome::Ok || answer.observations.is_empty(),
            "only a parsed response carries observations"
        );
        let request = serde_json::to_string(raw.spec)
            .map_err(|e| StoreError::Corrupt(format!("request spec: {e}")))?;
        let sha = raw.body.map(|b| hex(&Sha256::digest(b)));
        app.append_row(params![
            raw_id,
            run.0,
            raw.spec.source.as_str(),
            raw.spec.endpoint,
            raw.spec.request_key(),
            request,
            raw.url,
            raw.status.map(i32::from),
            crate::ts(raw.fetched_at),
            raw.body,
            sha,
            raw.outcome.as_str(),
            raw.error,
            answer.observations.len() as i64,
            raw.body.map(|_| true),
        ])
        .map_err(q("archiving a response"))?;
    }
    app.flush().map_err(q(doing))?;
    Ok(ids)
}

/// A `raw_responses` row as DuckDB gives it, before its text is parsed.
struct Row {
    id: i64,
    run_id: i64,
    request: String,
    url: String,
    status: Option<i32>,
    fetched_at: DateTime<Utc>,
    body: Option<Vec<u8>>,
    body_exact: Option<bool>,
    outcome: String,
    error: Option<String>,
}

/// The columns [`row`] reads, in its order.
const COLUMNS: &str =
    "id, run_id, request, url, status, fetched_at, body, body_exact, outcome, error";

/// Archived responses with an id above `after`, in id order, at most
/// `limit` of them.
pub(crate) fn read(conn: &Connection, after: i64, limit: i64) -> Result<Vec<Archived>> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {COLUMNS} FROM raw_responses WHERE id > ? ORDER BY id LIMIT ?"
        ))
        .map_err(q("reading the archive"))?;
    let rows = stmt
        .query_map(params![after, limit], row)
        .map_err(q("reading the archive"))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(parse(row.map_err(q("reading the archive"))?)?);
    }
    Ok(out)
}

fn row(r: &duckdb::Row<'_>) -> duckdb::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        run_id: r.get(1)?,
        request: r.get(2)?,
        url: r.get(3)?,
        status: r.get(4)?,
        fetched_at: r.get(5)?,
        body: r.get(6)?,
        body_exact: r.get(7)?,
        outcome: r.get(8)?,
        error: r.get(9)?,
    })
}

/// The latest successful (`ok` or `no_data`) archived answer of each
/// request of `source` to one of `endpoints`, in id order.
pub(crate) fn latest_successes(
    conn: &Connection,
    source: &str,
    endpoints: &[&str],
) -> Result<Vec<Archived>> {
    let doing = "reading the archive";
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {COLUMNS} FROM raw_responses
             WHERE source = ? AND endpoint = ? AND outcome IN ('ok', 'no_data')
             QUALIFY row_number() OVER (PARTITION BY request_key ORDER BY id DESC) = 1
             ORDER BY id"
        ))
        .map_err(q(doing))?;
    let mut out = Vec::new();
    for endpoint in endpoints {
        let rows = stmt
            .query_map(params![source, endpoint], row)
            .map_err(q(doing))?;
        for r in rows {
            out.push(parse(r.map_err(q(doing))?)?);
        }
    }
    out.sort_by_key(|a| a.id);
    Ok(out)
}

fn parse(row: Row) -> Result<Archived> {
    let id = row.id;
    let spec: RequestSpec = serde_json::from_str(&row.request)
        .map_err(|e| StoreError::Corrupt(format!("raw_responses {id}: request: {e}")))?;
    Ok(Archived {
        id,
        run_id: RunId(row.run_id),
        spec,
        url: row.url,
        status: row.status.and_then(|s| u16::try_from(s).ok()),
        fetched_at: row.fetched_at,
        body: row.body,
        body_exact: row.body_exact,
        outcome: parse_outcome(&row.outcome)?,
        error: row.error,
    })
}

fn parse_outcome(s: &str) -> Result<Outcome> {
    crate::parse_known(s)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
impl crate::Store {
    /// Every archived response, oldest first (`renormalize` reads the
    /// archive a page at a time).
    pub(crate) fn archived(&self) -> Result<Vec<Archived>> {
        read(&self.conn, 0, i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::testing::{at, catalog, metrics, raw, spec};
    use trends_core::Outcome;

    #[test]
    fn an_archived_response_reads_back_with_its_spec_body_and_time() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog(), &metrics()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let sp = spec("python", 2023);
        let mut failed = raw(&sp, b"{\"tot", Outcome::ParseError);
        failed.status = None;
        failed.error = Some("malformed JSON");
        s.record(run, &failed, &[]).expect("archive");
        let archived = s.archived().expect("archive");
        assert_eq!(archived.len(), 1);
        let a = &archived[0];
        assert_eq!((a.run_id, &a.spec, a.fetched_at), (run, &sp, at()));
        assert_eq!(a.body.as_deref(), Some(&b"{\"tot"[..]));
        assert_eq!((a.status, a.outcome), (None, Outcome::ParseError));
        assert_eq!(a.error.as_deref(), Some("malformed JSON"));
    }

    #[test]
    fn a_body_that_is_not_utf8_is_archived_byte_for_byte_and_matches_its_hash() {
        let mut s = Store::open_in_memory().expect("open");
        s.sync_catalog(&catalog(), &metrics()).expect("sync");
        let run = s.begin_run("collect", at()).expect("run");
        let latin1 = b"<p>caf\xe9 \xff\xfe</p>";
        let sp = spec("python", 2023);
        s.record(run, &raw(&sp, latin1, Outcome::ParseError), &[])
            .expect("archive");
        let mut lost = raw(&sp, b"", Outcome::TransportError);
        lost.body = None;
        s.record(run, &lost, &[]).expect("archive");
        let archived = s.archived().expect("archive");
        assert_eq!(archived[0].body.as_deref(), Some(&latin1[..]));
        assert_eq!(archived[0].body_exact, Some(true));
        assert_eq!(
            (archived[1].body.as_deref(), archived[1].body_exact),
            (None, None)
        );
        let hashed: bool = s
            .conn
            .query_row(
                "SELECT sha256(body) = sha256 FROM raw_responses WHERE id = ?",
                [archived[0].id],
                |r| r.get(0),
            )
            .expect("hash");
        assert!(hashed, "the archived bytes are the hashed bytes");
    }
}
