//! [`group_chart`]: a catalog group's members side by side, year by year
//! (one bar per member and year, its score in its category), so a reader
//! sees what `trends report --group` sums (JavaScript beside TypeScript).

use plotters::prelude::*;
use trends_core::Group;

use super::{FONT, SIZE, chart_error, color};
use crate::model::{Ranking, ReportError};

/// The members of `group` in every year of `ranking` (ranked individually,
/// not grouped) as an SVG bar chart: per year one bar per member, its
/// score; a member unranked in a year has no bar.
pub fn group_chart(ranking: &Ranking, group: &Group) -> Result<String, ReportError> {
    // (member name, [(year, score)]) in the group's order.
    let members: Vec<(String, Vec<(i32, f64)>)> = group
        .members
        .iter()
        .map(|m| {
            let rows = ranking.rows.iter().filter(|r| &r.tech == m);
            let name = rows
                .clone()
                .next()
                .map_or_else(|| m.as_str().to_owned(), |r| r.name.clone());
            (
                name,
                rows.filter_map(|r| Some((r.year, r.score?))).collect(),
            )
        })
        .collect();
    let years: Vec<i32> = members
        .iter()
        .flat_map(|m| m.1.iter().map(|p| p.0))
        .collect();
    let (Some(&first), Some(&last)) = (years.iter().min(), years.iter().max()) else {
        return Err(ReportError::Chart(format!(
            "no ranked member of group `{}` to draw; collect data first",
            group.id
        )));
    };
    let top = members
        .iter()
        .flat_map(|m| m.1.iter().map(|p| p.1))
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.15;
    let width = 0.8 / members.len().max(1) as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("{}: members side by side, {first}–{last}", group.name),
                (FONT, 22),
            )
            .margin(16)
            .x_label_area_size(32)
            .y_label_area_size(48)
            .build_cartesian_2d(f64::from(first) - 0.5..f64::from(last) + 0.5, 0.0..top)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels((last - first + 1) as usize)
            .x_label_formatter(&|x| format!("{}", x.round() as i32))
            .y_desc("score in its category (0–100)")
            .draw()
            .map_err(chart_error)?;
        for (i, (name, points)) in members.iter().enumerate() {
            let color = color(i);
            let offset = -0.4 + width * i as f64;
            chart
                .draw_series(points.iter().map(|(year, score)| {
                    let x = f64::from(*year) + offset;
                    Rectangle::new([(x, 0.0), (x + width * 0.9, *score)], color.filled())
                }))
                .map_err(chart_error)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, 13))
            .draw()
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::sig;
    use trends_core::{Category, Metric, SourceId, TechId};

    #[test]
    fn a_bar_per_member_and_ranked_year() {
        let q = || Metric::flow(SourceId::new("stackexchange"), "questions");
        let mut s = Vec::new();
        for (year, js, ts) in [(2022, 80.0, 20.0), (2023, 70.0, 30.0)] {
            s.push(sig("javascript", Category::Language, year, q(), js));
            s.push(sig("typescript", Category::Language, year, q(), ts));
            s.push(sig("go", Category::Language, year, q(), 50.0));
        }
        let ranking = Ranking::concat((2022..=2023).map(|y| crate::rank(&s, y, None)).collect());
        let group = Group {
            id: TechId("javascript-typescript".into()),
            name: "JavaScript + TypeScript".into(),
            category: Category::Language,
            members: vec![TechId("javascript".into()), TechId("typescript".into())],
        };
        let svg = group_chart(&ranking, &group).expect("svg");
        assert!(svg.contains("JavaScript + TypeScript: members side by side, 2022–2023"));
        assert!(svg.contains("JAVASCRIPT") && svg.contains("TYPESCRIPT") && !svg.contains(">GO<"));
        // Per member: a bar per year and a legend swatch, in its colour.
        for colour in ["#1F77B4", "#FF7F0E"] {
            assert_eq!(
                svg.matches(&format!("fill=\"{colour}\"")).count(),
                3,
                "{colour}: {svg}"
            );
        }
        let empty = Group {
            members: vec![TechId("nope".into())],
            ..group
        };
        assert!(group_chart(&ranking, &empty).is_err());
    }
}
