//! Tests of the load path: batches, the last answer of a key, upserts.

use trends_core::{Observation, Outcome};

use crate::testing::{at, catalog, metrics, obs, raw, spec};
use crate::{AnswerRecord, RawResponse, Store};

fn answer<'a>(raw: RawResponse<'a>, observations: &'a [Observation]) -> AnswerRecord<'a> {
    AnswerRecord { raw, observations }
}

#[test]
fn a_batch_is_archived_in_order_and_the_last_answer_of_a_key_wins() {
    let mut s = Store::open_in_memory().expect("open");
    s.sync_catalog(&catalog(), &metrics()).expect("sync");
    let run = s.begin_run("collect", at()).expect("run");
    let (a, b) = (spec("go", 2023), spec("python", 2023));
    let first = [obs("go", 2023, 1.0), obs("python", 2023, 7.0)];
    let second = [obs("go", 2023, 2.0)];
    let mut failed = raw(&b, b"{", Outcome::ParseError);
    failed.error = Some("cut");
    let ids = s
        .record_batch(
            run,
            &[
                answer(raw(&a, b"{}", Outcome::Ok), &first),
                answer(failed, &[]),
                answer(raw(&a, b"{}", Outcome::Ok), &second),
            ],
        )
        .expect("batch");
    assert_eq!(ids.len(), 3);
    assert!(ids[0] < ids[1] && ids[1] < ids[2]);
    let c = s.counts().expect("counts");
    assert_eq!((c.raw_responses, c.observations), (3, 2));
    let go: f64 = s
        .conn
        .query_row(
            "SELECT value FROM observations WHERE tech_id = 'go'",
            [],
            |r| r.get(0),
        )
        .expect("go");
    assert_eq!(go, 2.0);
    let raw_of_go: i64 = s
        .conn
        .query_row(
            "SELECT raw_id FROM observations WHERE tech_id = 'go'",
            [],
            |r| r.get(0),
        )
        .expect("raw id");
    assert_eq!(raw_of_go, ids[2]);
}

#[test]
fn a_key_repeated_in_one_answer_keeps_its_last_value() {
    let mut s = Store::open_in_memory().expect("open");
    s.sync_catalog(&catalog(), &metrics()).expect("sync");
    let run = s.begin_run("collect", at()).expect("run");
    let sp = spec("go", 2023);
    let twice = [obs("go", 2023, 1.0), obs("go", 2023, 2.0)];
    s.record(run, &raw(&sp, b"{}", Outcome::Ok), &twice)
        .expect("record");
    let ys = s.yearly_signals(2023, 2023).expect("yearly");
    assert_eq!((ys.len(), ys[0].value), (1, 2.0));
    // The staging table is empty again after each answer.
    s.record(run, &raw(&sp, b"{}", Outcome::Ok), &[obs("go", 2023, 5.0)])
        .expect("record");
    assert_eq!(s.yearly_signals(2023, 2023).expect("yearly")[0].value, 5.0);
}

#[test]
fn upsert_by_natural_key_keeps_one_row_with_the_latest_value() {
    let mut s = Store::open_in_memory().expect("open");
    s.sync_catalog(&catalog(), &metrics()).expect("sync");
    let run = s.begin_run("collect", at()).expect("run");
    let sp = spec("python", 2023);
    s.record(
        run,
        &raw(&sp, br#"{"total": 10}"#, Outcome::Ok),
        &[obs("python", 2023, 10.0)],
    )
    .expect("first");
    s.record(
        run,
        &raw(&sp, br#"{"total": 12}"#, Outcome::Ok),
        &[obs("python", 2023, 12.0)],
    )
    .expect("second");
    let c = s.counts().expect("counts");
    assert_eq!((c.raw_responses, c.observations), (2, 1));
    let ys = s.yearly_signals(2023, 2023).expect("yearly");
    assert_eq!(ys.len(), 1);
    assert_eq!(ys[0].value, 12.0);
    assert_eq!(ys[0].coverage, 1.0);
}

#[test]
fn only_the_whole_natural_key_makes_a_repeat_in_a_batch() {
    let mut s = Store::open_in_memory().expect("open");
    s.sync_catalog(&catalog(), &metrics()).expect("sync");
    let run = s.begin_run("collect", at()).expect("run");
    let sp = spec("go", 2023);
    let year = obs("go", 2023, 1.0);
    let mut month = obs("go", 2023, 2.0);
    month.grain = trends_core::Grain::Month;
    month.period = trends_core::Period::month_of(year.period.start);
    let other_tech = obs("python", 2023, 3.0);
    let again = obs("go", 2023, 4.0);
    let batch = [year, month, other_tech, again];
    s.record(run, &raw(&sp, b"{}", Outcome::Ok), &batch)
        .expect("record");
    let mut stmt = s
        .conn
        .prepare("SELECT tech_id, grain, value FROM observations ORDER BY tech_id, grain")
        .expect("prepare");
    let rows: Vec<(String, String, f64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let row = |tech: &str, grain: &str, value: f64| (tech.to_owned(), grain.to_owned(), value);
    assert_eq!(
        rows,
        [
            row("go", "month", 2.0),
            row("go", "year", 4.0),
            row("python", "year", 3.0)
        ]
    );
}

#[test]
fn quarters_are_stored_and_a_year_is_the_mean_of_its_quarters() {
    use trends_core::{Grain, Period};
    let mut s = Store::open_in_memory().expect("open");
    s.sync_catalog(&catalog(), &metrics()).expect("sync");
    let run = s.begin_run("collect", at()).expect("run");
    let sp = spec("go", 2023);
    let quarter = |q: u32, value: f64| {
        let mut o = obs("go", 2023, value);
        o.grain = Grain::Quarter;
        o.period = Period::quarter(2023, q).expect("quarter");
        o
    };
    // Two quarters of 2023: developers per quarter, not summable.
    let rows = [quarter(1, 100.0), quarter(2, 300.0)];
    s.record(run, &raw(&sp, b"{}", Outcome::Ok), &rows)
        .expect("record");
    // A rerun of the same file upserts the same rows.
    s.record(run, &raw(&sp, b"{}", Outcome::Ok), &rows)
        .expect("again");
    assert_eq!(s.counts().expect("counts").observations, 2);
    let ys = s.yearly_signals(2023, 2023).expect("yearly");
    assert_eq!(ys.len(), 1);
    assert_eq!(ys[0].value, 200.0, "the mean, not the sum");
    assert_eq!(ys[0].delta, None);
    // 2023-01-01..2023-07-01 is 181 of 365 days.
    assert!(
        (ys[0].coverage - 181.0 / 365.0).abs() < 1e-9,
        "{}",
        ys[0].coverage
    );
    let grain: String = s
        .conn
        .query_row("SELECT DISTINCT grain FROM observations", [], |r| r.get(0))
        .expect("grain");
    assert_eq!(grain, "quarter");
}

#[test]
fn the_staging_columns_are_the_observations_table_of_the_migrations() {
    let s = Store::open_in_memory().expect("open");
    let described = |table: &str| -> Vec<(String, String)> {
        s.conn
            .prepare(&format!(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = '{table}' ORDER BY column_index"
            ))
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("columns")
    };
    let table = described("observations");
    assert_eq!(table.len(), 11, "{table:?}");
    assert_eq!(described("observation_stage"), table);
    let names: Vec<&str> = table.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(crate::load::observation_columns(), names.join(", "));
}
