//! Tests of the whole report: docs/method.md's worked example, methods,
//! weights, groups, gains, trend and confidence columns and the writers.

mod layers;

use super::*;
use crate::write::text_cell;
use trends_core::{Category, Group, Metric, ReportConfig, SourceId, TechId, YearlySignal};

/// A signal by its name, as a column header writes it.
pub(crate) fn key(name: &str) -> SignalKey {
    name.parse().expect("a signal")
}

pub(crate) fn sig(
    tech: &str,
    cat: Category,
    year: i32,
    metric: Metric,
    value: f64,
) -> YearlySignal {
    YearlySignal {
        tech: TechId(tech.into()),
        name: tech.to_uppercase(),
        category: cat,
        year,
        source: metric.source(),
        metric,
        value,
        coverage: 1.0,
        partial: false,
        delta: None,
        exactness: trends_core::Exactness::Exact,
    }
}

/// docs/method.md's worked example ("A worked example").
fn frameworks(year: i32) -> Vec<YearlySignal> {
    use Category::Framework as F;
    vec![
        sig(
            "django",
            F,
            year,
            Metric::flow(SourceId::new("stackexchange"), "questions"),
            2000.0,
        ),
        sig(
            "flask",
            F,
            year,
            Metric::flow(SourceId::new("stackexchange"), "questions"),
            1000.0,
        ),
        sig(
            "django",
            F,
            year,
            Metric::flow(SourceId::new("github"), "topic_repos_created"),
            5000.0,
        ),
        sig(
            "flask",
            F,
            year,
            Metric::flow(SourceId::new("github"), "topic_repos_created"),
            3000.0,
        ),
        sig(
            "fastapi",
            F,
            year,
            Metric::flow(SourceId::new("github"), "topic_repos_created"),
            1000.0,
        ),
    ]
}

#[test]
fn worked_example_by_hand() {
    let r = rank(&frameworks(2023), 2023, None);
    let got: Vec<(&str, Option<u32>, f64, usize)> = r
        .rows
        .iter()
        .map(|r| {
            (
                r.tech.as_str(),
                r.rank,
                r.score.unwrap_or(f64::NAN),
                r.signals_used,
            )
        })
        .collect();
    let django = 100.0 * (2000.0 / 3000.0 + 5000.0 / 9000.0) / 2.0;
    let flask = 100.0 * (1000.0 / 3000.0 + 3000.0 / 9000.0) / 2.0;
    let fastapi = 100.0 * 1000.0 / 9000.0;
    assert_eq!(got.len(), 3);
    assert_eq!((got[0].0, got[0].1, got[0].3), ("django", Some(1), 2));
    assert!((got[0].2 - django).abs() < 1e-9);
    assert!((got[1].2 - flask).abs() < 1e-9);
    assert_eq!((got[2].0, got[2].3), ("fastapi", 1));
    assert!((got[2].2 - fastapi).abs() < 1e-9);
    // FastAPI has no questions value: absent, not 0.
    assert!(
        !r.rows[2]
            .values
            .contains_key(&key("stackexchange_questions"))
    );
}

#[test]
fn categories_are_ranked_apart() {
    let mut s = frameworks(2023);
    s.push(sig(
        "python",
        Category::Language,
        2023,
        Metric::flow(SourceId::new("stackexchange"), "questions"),
        3000.0,
    ));
    s.push(sig(
        "go",
        Category::Language,
        2023,
        Metric::flow(SourceId::new("stackexchange"), "questions"),
        1000.0,
    ));
    let r = rank(&s, 2023, None);
    let python = r
        .rows
        .iter()
        .find(|r| r.tech.as_str() == "python")
        .expect("python");
    assert_eq!(python.rank, Some(1));
    assert_eq!(python.score, Some(75.0));
    assert_eq!(r.rows[0].category, Category::Language);
    // Django's questions share is of framework questions only.
    let django = r
        .rows
        .iter()
        .find(|r| r.tech.as_str() == "django")
        .expect("django");
    assert_eq!(django.rank, Some(1));
    let only = rank(&s, 2023, Some(Category::Language));
    assert_eq!(only.rows.len(), 2);
    assert_eq!(only.signals, ["stackexchange_questions"]);
}

#[test]
fn rank_change_compares_with_the_year_before() {
    let mut s = frameworks(2023);
    use Category::Framework as F;
    s.push(sig(
        "flask",
        F,
        2022,
        Metric::flow(SourceId::new("stackexchange"), "questions"),
        10.0,
    ));
    s.push(sig(
        "django",
        F,
        2022,
        Metric::flow(SourceId::new("stackexchange"), "questions"),
        5.0,
    ));
    let r = rank(&s, 2023, None);
    let change = |t: &str| {
        r.rows
            .iter()
            .find(|r| r.tech.as_str() == t)
            .and_then(|r| r.rank_change)
    };
    assert_eq!(change("django"), Some(1));
    assert_eq!(change("flask"), Some(-1));
    assert_eq!(change("fastapi"), None, "not ranked in 2022");
}

#[test]
fn ties_go_to_the_id_and_zero_totals_give_no_share() {
    use Category::Practice as P;
    let s = vec![
        sig(
            "b",
            P,
            2023,
            Metric::flow(SourceId::new("wikimedia"), "pageviews"),
            10.0,
        ),
        sig(
            "a",
            P,
            2023,
            Metric::flow(SourceId::new("wikimedia"), "pageviews"),
            10.0,
        ),
        sig(
            "c",
            P,
            2023,
            Metric::flow(SourceId::new("stackexchange"), "questions"),
            0.0,
        ),
    ];
    let r = rank(&s, 2023, None);
    let order: Vec<(&str, Option<u32>)> =
        r.rows.iter().map(|r| (r.tech.as_str(), r.rank)).collect();
    assert_eq!(order, [("a", Some(1)), ("b", Some(2)), ("c", None)]);
    assert_eq!(r.rows[2].score, None);
    assert_eq!(
        r.rows[2].values.get(&key("stackexchange_questions")),
        Some(&0.0)
    );
}

#[test]
fn a_signal_only_one_technology_has_is_not_used() {
    let mut s = frameworks(2023);
    // Only Django has stars: a 100% share would say nothing.
    s.push(sig(
        "django",
        Category::Framework,
        2023,
        Metric::stock(SourceId::new("github"), "stars"),
        80_000.0,
    ));
    let with = rank(&s, 2023, None);
    let without = rank(&frameworks(2023), 2023, None);
    assert_eq!(with.rows[0].score, without.rows[0].score);
    assert_eq!(with.rows[0].signals_used, 2);
    assert_eq!(
        with.rows[0].values.get(&key("github_stars")),
        Some(&80_000.0)
    );
}

#[test]
fn csv_has_empty_cells_for_missing_values() {
    let r = rank(&frameworks(2023), 2023, None);
    let mut out = Vec::new();
    write_csv(&r, &mut out).expect("csv");
    let text = String::from_utf8(out).expect("utf-8");
    assert_eq!(
        text,
        "year,category,rank,technology,tech_id,score,github_topic_repos_created,stackexchange_questions,signals_used,coverage,partial,rank_change,score_change,momentum,driver,signal_rank_best,signal_rank_worst,disputed,low_coverage,unranked_reason,approximate\n\
         2023,framework,1,DJANGO,django,61.11,5000,2000,2,1.00,false,,,,,1,1,false,false,,\n\
         2023,framework,2,FLASK,flask,33.33,3000,1000,2,1.00,false,,,,,2,2,false,false,,\n\
         2023,framework,3,FASTAPI,fastapi,11.11,1000,,1,1.00,false,,,,,3,3,false,false,,\n"
    );
    assert_eq!(SourceId::new("github").as_str(), "github");
}

#[test]
fn text_cells_cannot_become_spreadsheet_formulas() {
    let mut s = frameworks(2023);
    for x in &mut s {
        if x.tech.as_str() == "flask" {
            x.name = "=HYPERLINK(\"http://evil\")".into();
        }
    }
    let mut out = Vec::new();
    write_csv(&rank(&s, 2023, None), &mut out).expect("csv");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(
        text.contains(",\"'=HYPERLINK(\"\"http://evil\"\")\",flask,"),
        "{text}"
    );
    // rank_change is a number column and never passes through it.
    assert_eq!(text_cell("-1"), "'-1");
    assert_eq!(text_cell("Django"), "Django");
}

#[test]
fn markdown_and_json_carry_the_same_rows() {
    let mut s = frameworks(2023);
    s.extend(frameworks(2022));
    let all = Ranking::concat(vec![rank(&s, 2022, None), rank(&s, 2023, None)]);
    assert_eq!(all.rows.len(), 6);
    let md = render_markdown(&all);
    assert!(md.contains("## 2022 frameworks"), "{md}");
    assert!(
        md.contains("| 1 | DJANGO | 61.1 | 5000 | 2000 | 2 | 100% | +0 |"),
        "{md}"
    );
    assert!(
        md.contains("| 3 | FASTAPI | 11.1 | 1000 |  | 1 | 100% |"),
        "{md}"
    );
    let mut out = Vec::new();
    write_json(&all, &mut out).expect("json");
    let v: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(6));
    assert_eq!(v["rows"][5]["values"].get("stackexchange_questions"), None);
    assert_eq!(v["rows"][0]["rank_change"], serde_json::Value::Null);
}

#[test]
fn risers_and_fallers_are_named() {
    let mut s = frameworks(2023);
    use Category::Framework as F;
    s.push(sig(
        "flask",
        F,
        2022,
        Metric::flow(SourceId::new("stackexchange"), "questions"),
        10.0,
    ));
    s.push(sig(
        "django",
        F,
        2022,
        Metric::flow(SourceId::new("stackexchange"), "questions"),
        5.0,
    ));
    let r = rank(&s, 2023, None);
    assert_eq!(
        movers(&r, 2023, F).as_deref(),
        Some("risers: DJANGO ↑1 · fallers: FLASK ↓1")
    );
    assert_eq!(movers(&rank(&frameworks(2023), 2023, None), 2023, F), None);
    assert!(render_table(&r).contains("risers: DJANGO ↑1"));
    assert!(render_markdown(&r).contains("risers: DJANGO ↑1"));
}

#[test]
fn table_shows_ranks_and_changes() {
    let mut s = frameworks(2023);
    s.extend(frameworks(2022));
    let t = render_table(&rank(&s, 2023, None));
    assert!(t.starts_with("2023 frameworks\n"), "{t}");
    assert!(t.contains("DJANGO"), "{t}");
    let first: Vec<&str> = t.lines().nth(2).unwrap_or("").split_whitespace().collect();
    assert_eq!(
        first,
        ["1", "DJANGO", "61.1", "2", "100%", "=", "+0.0", "1"],
        "{t}"
    );
}

#[test]
fn weights_min_signals_and_low_coverage_come_from_the_config() {
    let s = frameworks(2023);
    let mut config = ReportConfig::default();
    // Questions count double: Django (2/3) and Flask (1/3) on questions,
    // Django 5/9, Flask 3/9, FastAPI 1/9 on topic repos.
    config.weights.insert("stackexchange_questions".into(), 2.0);
    config.min_signals = 2;
    let r = rank_with(
        &s,
        2023,
        None,
        &RankOptions {
            method: Method::Share,
            config,
        },
    );
    let django = &r.rows[0];
    let want = 100.0 * (2.0 * 2.0 / 3.0 + 5.0 / 9.0) / 3.0;
    assert!((django.score.expect("ranked") - want).abs() < 1e-9);
    // FastAPI has one signal: listed, unranked, with the reason.
    let fastapi = r
        .rows
        .iter()
        .find(|r| r.tech.as_str() == "fastapi")
        .expect("row");
    assert_eq!((fastapi.rank, fastapi.score), (None, None));
    assert_eq!(
        fastapi.unranked_reason.as_deref(),
        Some("1 usable signal(s), fewer than the 2 required")
    );
    assert!(render_table(&r).contains("unranked: 1 usable signal(s)"));
    // Coverage below the threshold is flagged, not hidden.
    let mut low = frameworks(2023);
    for y in &mut low {
        y.coverage = 0.25;
    }
    let r = rank(&low, 2023, None);
    assert!(
        r.rows
            .iter()
            .all(|row| row.low_coverage && row.rank.is_some())
    );
    assert!(render_table(&r).contains("25% low"));
}

#[test]
fn approximate_values_are_marked_in_every_writer() {
    use trends_core::Exactness;
    let mut s = frameworks(2023);
    for x in &mut s {
        if x.tech.as_str() == "flask" && x.source.as_str() == "github" {
            x.exactness = Exactness::Approximate;
        }
    }
    let r = rank(&s, 2023, None);
    let flask = r.rows.iter().find(|row| row.tech.as_str() == "flask");
    assert_eq!(
        flask.map(|row| row.approximate.clone()),
        Some(vec![key("github_topic_repos_created")])
    );
    // Ranked as before: the mark informs, it does not weigh.
    assert_eq!(r.rows, {
        let mut exact = rank(&frameworks(2023), 2023, None).rows;
        exact[1].approximate = vec![key("github_topic_repos_created")];
        exact
    });
    let mut out = Vec::new();
    write_csv(&r, &mut out).expect("csv");
    let csv = String::from_utf8(out).expect("utf-8");
    assert!(
        csv.contains("2023,framework,2,FLASK,flask,33.33,3000,1000,2,1.00,false,,,,,2,2,false,false,,github_topic_repos_created\n"),
        "{csv}"
    );
    let md = render_markdown(&r);
    assert!(md.contains("| 2 | FLASK | 33.3 | ≈3000 | 1000 |"), "{md}");
    assert!(md.contains("| 1 | DJANGO | 61.1 | 5000 | 2000 |"), "{md}");
    assert!(md.contains("\n≈ approximate: "), "{md}");
    let mut out = Vec::new();
    write_json(&r, &mut out).expect("json");
    let v: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    assert_eq!(
        v["rows"][1]["approximate"],
        serde_json::json!(["github_topic_repos_created"])
    );
    assert_eq!(
        v["rows"][0].get("approximate"),
        None,
        "absent when all are exact"
    );
    // Without approximate values, no legend.
    assert!(!render_markdown(&rank(&frameworks(2023), 2023, None)).contains('≈'));

    // A group is as exact as its least exact member.
    let group = Group {
        id: TechId("py".into()),
        name: "Py".into(),
        category: Category::Framework,
        members: vec![TechId("flask".into()), TechId("fastapi".into())],
    };
    let merged = group_signals(&s, &[group]);
    let topics: Vec<(&str, Exactness)> = merged
        .iter()
        .filter(|y| y.source.as_str() == "github")
        .map(|y| (y.tech.as_str(), y.exactness))
        .collect();
    assert_eq!(
        topics,
        [("django", Exactness::Exact), ("py", Exactness::Approximate)]
    );
}

#[test]
fn a_group_is_ranked_as_the_sum_of_its_members() {
    use Category::Framework as F;
    let mut s = frameworks(2023);
    s.push(sig(
        "quart",
        F,
        2023,
        Metric::flow(SourceId::new("stackexchange"), "questions"),
        3_000.0,
    ));
    let group = Group {
        id: TechId("flask-family".into()),
        name: "Flask + Quart".into(),
        category: F,
        members: vec![TechId("flask".into()), TechId("quart".into())],
    };
    let merged = group_signals(&s, &[group]);
    let q: Vec<(&str, f64)> = merged
        .iter()
        .filter(|y| y.metric == Metric::flow(SourceId::new("stackexchange"), "questions"))
        .map(|y| (y.tech.as_str(), y.value))
        .collect();
    assert_eq!(q, [("django", 2_000.0), ("flask-family", 4_000.0)]);
    let r = rank(&merged, 2023, None);
    // Family: (4000/6000 + 3000/9000) / 2 = 50.0; Django: (2000/6000 +
    // 5000/9000) / 2 = 44.4. Flask alone would trail Django.
    assert_eq!(r.rows[0].tech.as_str(), "flask-family");
    assert_eq!(r.rows[0].name, "Flask + Quart");
    assert!(r.rows.iter().all(|row| row.tech.as_str() != "quart"));
}

#[test]
fn a_stocks_yearly_gain_is_a_signal_of_its_own() {
    use Category::Framework as F;
    let mut s = Vec::new();
    for (tech, stars, gain) in [
        ("django", 80_000.0, Some(4_000.0)),
        ("flask", 67_000.0, Some(6_000.0)),
        ("quart", 3_000.0, Some(-10.0)),
    ] {
        let mut y = sig(
            tech,
            F,
            2023,
            Metric::stock(SourceId::new("github"), "stars"),
            stars,
        );
        y.delta = gain;
        s.push(y);
    }
    let r = rank(&s, 2023, None);
    assert!(
        r.signals.contains(&key("github_stars_gain")),
        "{:?}",
        r.signals
    );
    let flask = r
        .rows
        .iter()
        .find(|r| r.tech.as_str() == "flask")
        .expect("row");
    assert_eq!(flask.values.get(&key("github_stars_gain")), Some(&6_000.0));
    // 67000/150000 stars, 6000/10000 of the gain.
    let want = 100.0 * (67_000.0 / 150_000.0 + 0.6) / 2.0;
    assert!((flask.score.expect("ranked") - want).abs() < 1e-9);
    // A loss is not a share: no gain value, the stars still count.
    let quart = r
        .rows
        .iter()
        .find(|r| r.tech.as_str() == "quart")
        .expect("row");
    assert_eq!(
        (
            quart.values.get(&key("github_stars_gain")),
            quart.signals_used
        ),
        (None, 1)
    );
}

#[test]
fn a_gain_can_be_weighted_and_the_weight_moves_the_score() {
    use Category::Framework as F;
    let mut s = Vec::new();
    for (tech, stars, gain) in [("django", 80_000.0, 4_000.0), ("flask", 67_000.0, 6_000.0)] {
        let mut y = sig(
            tech,
            F,
            2023,
            Metric::stock(SourceId::new("github"), "stars"),
            stars,
        );
        y.delta = Some(gain);
        s.push(y);
    }
    let known = trends_core::Known {
        sources: vec![trends_core::KnownSource {
            id: SourceId::new("github"),
            search_lane: true,
            metrics: vec![Metric::stock(SourceId::new("github"), "stars")],
        }],
    };
    let config = trends_core::Config::parse(
        "contact = \"x\"\n[report.weights]\ngithub_stars_gain = 0.5\n",
        std::path::Path::new("trends.toml"),
        &known,
    )
    .expect("a gain is a signal the config accepts")
    .report;
    let options = RankOptions {
        method: Method::Share,
        config,
    };
    let score = |r: &Ranking| {
        r.rows
            .iter()
            .find(|r| r.tech.as_str() == "flask")
            .and_then(|r| r.score)
            .expect("ranked")
    };
    let weighted = score(&rank_with(&s, 2023, None, &options));
    // stars 67/147 weigh 1, the gain 6/10 weighs 0.5.
    let want = 100.0 * (67_000.0 / 147_000.0 + 0.5 * 0.6) / 1.5;
    assert!((weighted - want).abs() < 1e-9, "{weighted} {want}");
    let unweighted = score(&rank(&s, 2023, None));
    assert!((unweighted - 100.0 * (67_000.0 / 147_000.0 + 0.6) / 2.0).abs() < 1e-9);
}

#[test]
fn method_checks_see_a_single_signal_deciding() {
    use Category::Framework as F;
    // One giant on downloads, the order reversed on questions: with
    // shares, leaving downloads out reshuffles much more.
    let mut s = Vec::new();
    for year in [2022, 2023] {
        for (tech, downloads, questions) in [
            ("big", 1_000_000.0, 10.0),
            ("b", 1_000.0, 400.0),
            ("c", 900.0, 300.0),
            ("d", 800.0, 200.0),
        ] {
            s.push(sig(
                tech,
                F,
                year,
                Metric::flow(SourceId::new("npm"), "downloads"),
                downloads,
            ));
            s.push(sig(
                tech,
                F,
                year,
                Metric::flow(SourceId::new("stackexchange"), "questions"),
                questions,
            ));
        }
    }
    let checks = compare_methods(&s, &[2023], &ReportConfig::default());
    assert_eq!(checks.len(), 3);
    for c in &checks {
        // The same data both years: perfectly stable.
        assert!((c.stability - 1.0).abs() < 1e-9, "{c:?}");
        assert!(c.leave_one_out >= 0.0 && (0.0..=1.0).contains(&c.moved_over_one));
    }
}

#[test]
fn trend_columns_score_change_and_momentum() {
    use Category::Framework as F;
    // Django's share of questions: 2021 50%, 2022 60%, 2023 80%.
    let mut s = Vec::new();
    for (year, django) in [(2021, 50.0), (2022, 60.0), (2023, 80.0)] {
        s.push(sig(
            "django",
            F,
            year,
            Metric::flow(SourceId::new("stackexchange"), "questions"),
            django,
        ));
        s.push(sig(
            "flask",
            F,
            year,
            Metric::flow(SourceId::new("stackexchange"), "questions"),
            100.0 - django,
        ));
    }
    let r = rank(&s, 2023, None);
    let django = &r.rows[0];
    assert_eq!(django.tech.as_str(), "django");
    assert!((django.score_change.expect("known") - 20.0).abs() < 1e-9);
    // Least squares through (-2, 50), (-1, 60), (0, 80): 15 a year.
    assert!((django.momentum.expect("known") - 15.0).abs() < 1e-9);
    // One year only: no trend.
    let alone = rank(&frameworks(2023), 2023, None);
    assert_eq!(
        (alone.rows[0].score_change, alone.rows[0].momentum),
        (None, None)
    );
}

#[test]
fn methods_weigh_values_differently_and_flag_disagreeing_signals() {
    use Category::Framework as F;
    let mut s = Vec::new();
    // "big" dwarfs the others on downloads, is last on questions.
    for (tech, downloads, questions) in [
        ("big", 1_000_000.0, 10.0),
        ("b", 1_000.0, 400.0),
        ("c", 900.0, 300.0),
        ("d", 800.0, 200.0),
        ("e", 700.0, 100.0),
    ] {
        s.push(sig(
            tech,
            F,
            2023,
            Metric::flow(SourceId::new("npm"), "downloads"),
            downloads,
        ));
        s.push(sig(
            tech,
            F,
            2023,
            Metric::flow(SourceId::new("stackexchange"), "questions"),
            questions,
        ));
    }
    let score = |m: Method, t: &str| {
        rank_with(
            &s,
            2023,
            None,
            &RankOptions {
                method: m,
                ..RankOptions::default()
            },
        )
        .rows
        .into_iter()
        .find(|r| r.tech.as_str() == t)
        .and_then(|r| r.score)
        .expect("scored")
    };
    // Share: big holds ~99.6% of downloads, so it leads despite questions.
    assert!(score(Method::Share, "big") > score(Method::Share, "b"));
    // Percentile: 1st and 5th of 5 average to 50; b is 2nd and 1st.
    assert!((score(Method::Percentile, "big") - 50.0).abs() < 1e-9);
    assert!((score(Method::Percentile, "b") - 87.5).abs() < 1e-9);
    // Log-share damps the giant: far less of a lead than with shares.
    let lead = |m: Method| score(m, "big") - score(m, "b");
    assert!(lead(Method::LogShare) < lead(Method::Share) / 4.0);
    let r = rank(&s, 2023, None);
    let big = r
        .rows
        .iter()
        .find(|r| r.tech.as_str() == "big")
        .expect("row");
    assert_eq!(
        (big.signal_rank_best, big.signal_rank_worst, big.disputed),
        (Some(1), Some(5), true)
    );
    let b = r.rows.iter().find(|r| r.tech.as_str() == "b").expect("row");
    assert!(!b.disputed);
    assert_eq!("log-share".parse::<Method>(), Ok(Method::LogShare));
    assert!("mean".parse::<Method>().is_err());
}
