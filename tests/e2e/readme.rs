//! The documents keep their promises: every relative link in README.md,
//! ARCHITECTURE.md, CONTRIBUTING.md, BENCHMARKS.md, crates/README.md,
//! sql/SCHEMA.md and docs/*.md points at a file that exists (an `#anchor`
//! into a Markdown file at one of its headings); every `trends` command
//! they show in a code block is accepted by the built binary's parser; the
//! README gives the test command `.ci/run` runs and says why each
//! dependency is there.
//!
//! A command is checked with `--help` appended: clap reads the arguments in
//! order, so an unknown subcommand or flag, or a value its parser refuses
//! (`--format bogus`), is an error before it reaches `--help`, which then
//! prints the help and exits without running anything. One exception: the
//! value of an option given just before a subcommand (`--log-format yaml
//! report`) is left unchecked when that subcommand's `--help` ends the
//! parse, so each command level's own arguments are also checked alone,
//! up to its subcommand, with `--help` after them (`--log-format yaml
//! --help`); the levels, their subcommands and which options take a value
//! are read from the binary's own `--help`. What clap checks only after the
//! whole line (a missing required argument, two flags that conflict) is not
//! checked here.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::clients::root;
use crate::support;

/// The documents checked, relative to the workspace root: the fixed ones
/// and every Markdown file in `docs/`.
fn documents() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = [
        "README.md",
        "ARCHITECTURE.md",
        "CONTRIBUTING.md",
        "BENCHMARKS.md",
        "crates/README.md",
        "sql/SCHEMA.md",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    let mut manual: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("read docs/")
        .map(|e| e.expect("docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| Path::new("docs").join(p.file_name().expect("file name")))
        .collect();
    manual.sort();
    assert!(!manual.is_empty(), "docs/ holds the manual");
    docs.extend(manual);
    docs
}

fn read(rel: &Path) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A fenced code block: its info string (`sh`, `cron`, empty), and its
/// lines with their 1-based line numbers.
struct Block {
    info: String,
    lines: Vec<(usize, String)>,
}

/// The Markdown text outside fenced code blocks (each fenced line blanked,
/// so offsets still give line numbers), and the fenced blocks.
fn split_fences(text: &str) -> (String, Vec<Block>) {
    let mut prose = String::with_capacity(text.len());
    let mut blocks = Vec::new();
    let mut open: Option<(String, Block)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let fence: String = trimmed
            .chars()
            .take_while(|c| *c == '`' || *c == '~')
            .collect();
        let is_fence = fence.len() >= 3 && fence.chars().all(|c| c == fence.as_bytes()[0] as char);
        match open.take() {
            Some((marker, block)) if is_fence && trimmed.trim_end() == marker.as_str() => {
                blocks.push(block);
            }
            Some((marker, mut block)) => {
                block.lines.push((i + 1, line.to_string()));
                open = Some((marker, block));
            }
            None if is_fence => {
                let info = trimmed[fence.len()..].trim().to_string();
                open = Some((
                    fence,
                    Block {
                        info,
                        lines: Vec::new(),
                    },
                ));
            }
            None => prose.push_str(line),
        }
        prose.push('\n');
    }
    (prose, blocks)
}

/// `text` with the content of every inline code span blanked (newlines
/// kept), so a `[x](y)` shown as code is not taken for a link. A span may
/// run over lines of one paragraph, not over a blank line.
fn blank_code_spans(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let run = |at: usize| chars[at..].iter().take_while(|c| **c == '`').count();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            i += 1;
            continue;
        }
        let n = run(i);
        let mut j = i + n;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '\n' && chars.get(j + 1) == Some(&'\n') {
                break;
            }
            if chars[j] == '`' {
                let m = run(j);
                if m == n {
                    close = Some(j);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                for c in &mut out[i..j + n] {
                    if *c != '\n' {
                        *c = ' ';
                    }
                }
                i = j + n;
            }
            None => i += n,
        }
    }
    out.into_iter().collect()
}

/// GitHub's anchor for a heading: lowercase, spaces to `-`, every other
/// character but letters, digits, `-` and `_` dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown text's headings; a repeated one gets `-1`,
/// `-2`, … as on GitHub.
fn anchors(text: &str) -> Vec<String> {
    let (prose, _) = split_fences(text);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for line in prose.lines() {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(line[hashes..].trim().trim_end_matches('#'));
        let n = seen.entry(base.clone()).or_insert(0);
        out.push(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

/// Every link target in a Markdown text, with its line: inline links and
/// images `[x](target "title")` and reference definitions `[x]: target`.
fn links(text: &str) -> Vec<(usize, String)> {
    let (prose, _) = split_fences(text);
    let prose = blank_code_spans(&prose);
    let line_of = |at: usize| prose[..at].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = prose[from..].find("](") {
        let start = from + found + 2;
        let mut depth = 0usize;
        let mut end = prose.len();
        for (k, c) in prose[start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = start + k;
                    break;
                }
                ')' => depth -= 1,
                '\n' => {
                    end = start + k;
                    break;
                }
                _ => {}
            }
        }
        let inner = prose[start..end].trim();
        let target = inner
            .strip_prefix('<')
            .and_then(|t| t.split_once('>').map(|(t, _)| t))
            .unwrap_or_else(|| inner.split_whitespace().next().unwrap_or(""));
        out.push((line_of(start), target.to_string()));
        from = end.max(start);
    }
    for (i, line) in prose.lines().enumerate() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix('[')
            && let Some((label, target)) = rest.split_once("]:")
            && !label.is_empty()
            && !label.contains(']')
        {
            let target = target.split_whitespace().next().unwrap_or("");
            out.push((i + 1, target.to_string()));
        }
    }
    out
}

/// What is wrong with one link target of document `doc`, if anything.
fn check_link(
    doc: &Path,
    target: &str,
    cache: &mut BTreeMap<PathBuf, Vec<String>>,
) -> Option<String> {
    if target.is_empty() {
        return Some("an empty link".into());
    }
    if ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| target.starts_with(p))
    {
        return None; // not fetched: there is no network
    }
    let (path, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (target, None),
    };
    let file = if path.is_empty() {
        doc.to_path_buf()
    } else {
        doc.parent().unwrap_or(Path::new("")).join(path)
    };
    let full = root().join(&file);
    if !full.exists() {
        return Some(format!("{} does not exist", file.display()));
    }
    let anchor = anchor?;
    if full.extension().is_none_or(|x| x != "md") {
        return None; // an anchor into code (`#L10`) is the host's business
    }
    let headings = cache
        .entry(full.clone())
        .or_insert_with(|| anchors(&std::fs::read_to_string(&full).expect("read a linked file")));
    if headings.iter().any(|h| h == anchor) {
        None
    } else {
        Some(format!(
            "{} has no heading with the anchor #{anchor} (its anchors: {})",
            file.display(),
            headings.join(", ")
        ))
    }
}

#[test]
fn every_relative_link_in_the_documents_points_at_a_file_and_a_heading() {
    let mut cache = BTreeMap::new();
    let mut broken = Vec::new();
    let mut checked = 0;
    for doc in documents() {
        for (line, target) in links(&read(&doc)) {
            checked += 1;
            if let Some(why) = check_link(&doc, &target, &mut cache) {
                broken.push(format!("{}:{line}: ({target}): {why}", doc.display()));
            }
        }
    }
    assert!(
        checked > 30,
        "only {checked} links found: the scanner is broken"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The `NAME=value` words before a command, as (name, value).
type Assignments = Vec<(String, String)>;

/// One shell command line split into its commands: each a list of words,
/// with its `NAME=value` prefixes. Quotes group words, `#` starts a
/// comment, `&&`, `||`, `|`, `;` and `&` separate commands, redirections
/// (`> f`, `>> f`, `2>&1`, `< f`) are dropped, and a `<placeholder>` is a
/// word.
fn shell_commands(line: &str) -> Vec<(Assignments, Vec<String>)> {
    /// Ends the word being read: into the current command, or dropped
    /// when it is a redirection's file.
    fn finish(word: &mut Option<String>, skip: &mut bool, commands: &mut [Vec<String>]) {
        if let Some(w) = word.take() {
            if *skip {
                *skip = false;
            } else if let Some(command) = commands.last_mut() {
                command.push(w);
            }
        }
    }

    let chars: Vec<char> = line.chars().collect();
    let mut commands: Vec<Vec<String>> = vec![Vec::new()];
    let mut word: Option<String> = None;
    let mut skip_next_word = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => finish(&mut word, &mut skip_next_word, &mut commands),
            '#' if word.is_none() => break,
            '\'' | '"' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|x| *x == c)
                    .map_or(chars.len(), |p| i + 1 + p);
                let w = word.get_or_insert_with(String::new);
                w.extend(&chars[i + 1..close.min(chars.len())]);
                i = close;
            }
            '\\' if i + 1 < chars.len() => {
                word.get_or_insert_with(String::new).push(chars[i + 1]);
                i += 1;
            }
            '<' if word.is_none() && placeholder_end(&chars, i).is_some() => {
                let end = placeholder_end(&chars, i).unwrap_or(i + 1);
                word = Some(chars[i..end].iter().collect());
                i = end - 1;
            }
            '>' | '<' => {
                // An fd number before it (`2>`) belongs to the redirection.
                if word
                    .as_deref()
                    .is_some_and(|w| w.chars().all(|d| d.is_ascii_digit()))
                {
                    word = None;
                }
                finish(&mut word, &mut skip_next_word, &mut commands);
                while chars.get(i + 1) == Some(&'>') {
                    i += 1;
                }
                if chars.get(i + 1) == Some(&'&') {
                    // `>&1`, `2>&1`: to another fd, no file word follows.
                    i += 1;
                    while chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                        i += 1;
                    }
                } else {
                    skip_next_word = true;
                }
            }
            '&' | '|' | ';' => {
                finish(&mut word, &mut skip_next_word, &mut commands);
                if chars.get(i + 1) == Some(&c) {
                    i += 1;
                }
                commands.push(Vec::new());
            }
            _ => word.get_or_insert_with(String::new).push(c),
        }
        i += 1;
    }
    finish(&mut word, &mut skip_next_word, &mut commands);
    commands
        .into_iter()
        .filter(|c| !c.is_empty())
        .map(|words| {
            let is_assignment = |w: &str| {
                w.split_once('=').is_some_and(|(name, _)| {
                    !name.is_empty()
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !name.starts_with(|c: char| c.is_ascii_digit())
                })
            };
            let n = words.iter().take_while(|w| is_assignment(w)).count();
            let env = words[..n]
                .iter()
                .filter_map(|w| w.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            (env, words[n..].to_vec())
        })
        .collect()
}

/// Where a `<placeholder>` word starting at `at` ends (one past its `>`),
/// when `<` starts one rather than a redirection.
fn placeholder_end(chars: &[char], at: usize) -> Option<usize> {
    let end = chars[at..]
        .iter()
        .position(|c| c.is_whitespace())
        .map_or(chars.len(), |p| at + p);
    let name_starts = chars.get(at + 1).is_some_and(|c| c.is_alphabetic());
    (end > at + 2 && chars[end - 1] == '>' && name_starts).then_some(end)
}

/// The arguments a command passes to `trends`, when it runs `trends`:
/// `trends …`, `target/release/trends …`, `cargo run [--release] -- …`,
/// also behind `sudo`, `env` or `time` (`/usr/bin/time -f FMT`).
fn trends_arguments(words: &[String]) -> Option<Vec<String>> {
    let mut rest = words;
    loop {
        match rest.first().map(String::as_str) {
            Some("sudo" | "env") => rest = &rest[1..],
            Some("time" | "/usr/bin/time") => {
                rest = &rest[1..];
                while let Some(flag) = rest.first().filter(|w| w.starts_with('-')) {
                    let takes_value =
                        matches!(flag.as_str(), "-f" | "-o" | "--format" | "--output");
                    rest = &rest[if takes_value { 2 } else { 1 }.min(rest.len())..];
                }
            }
            _ => break,
        }
    }
    let (program, args) = rest.split_first()?;
    if Path::new(program)
        .file_name()
        .is_some_and(|n| n == "trends")
    {
        return Some(args.to_vec());
    }
    if program == "cargo" && args.first().is_some_and(|a| a == "run") {
        let dashes = args.iter().position(|a| a == "--")?;
        return Some(args[dashes + 1..].to_vec());
    }
    None
}

/// A `<placeholder>` stands for a value: it is given as `1`, which a
/// number or a name accepts.
fn fill_placeholders(args: Vec<String>) -> Vec<String> {
    args.into_iter()
        .map(|a| {
            if a.len() > 2 && a.starts_with('<') && a.ends_with('>') {
                "1".to_string()
            } else {
                a
            }
        })
        .collect()
}

/// Every `trends` command shown in a shell code block of `doc`: its line,
/// the line as written, its environment prefixes and its arguments.
type Shown = (usize, String, Assignments, Vec<String>);

fn shown_commands(doc: &Path) -> Vec<Shown> {
    let (_, blocks) = split_fences(&read(doc));
    let mut out = Vec::new();
    for block in blocks {
        if !["", "sh", "bash", "shell", "console", "cron", "text"].contains(&block.info.as_str()) {
            continue;
        }
        let mut pending: Option<(usize, String)> = None;
        for (number, line) in &block.lines {
            let (first, mut joined) = pending.take().unwrap_or((*number, String::new()));
            let text = line.trim_start().trim_start_matches("$ ");
            if let Some(head) = text.strip_suffix('\\') {
                joined.push_str(head);
                joined.push(' ');
                pending = Some((first, joined));
                continue;
            }
            joined.push_str(text);
            for (env, words) in shell_commands(&joined) {
                if let Some(args) = trends_arguments(&words) {
                    out.push((
                        first,
                        joined.trim().to_string(),
                        env,
                        fill_placeholders(args),
                    ));
                }
            }
        }
    }
    out
}

/// Runs the binary with `args` and `--help` in a scratch folder; `None`
/// when clap accepted them, else what went wrong.
fn refused(args: &[String], env: &[(String, String)], cwd: &Path) -> Option<String> {
    if args.iter().any(|a| a == "--") {
        return Some("`--` would make the appended --help an argument".into());
    }
    let mut child = Command::new(support::trends_binary())
        .args(args)
        .arg("--help")
        .env_remove("TRENDS_CONFIG")
        .env_remove("TRENDS_DB")
        .env_remove("TRENDS_DEMO_DATA")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run trends");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for trends") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            return Some("still running after 20 s: --help did not stop it".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read stderr");
    if status.success() && !stderr.contains("error:") {
        None
    } else {
        Some(format!("exit {:?}: {}", status.code(), stderr.trim()))
    }
}

/// One command level as its `--help` shows it: its subcommands and the
/// options that take a value.
#[derive(Debug, Default)]
struct Level {
    commands: Vec<String>,
    valued: Vec<String>,
}

/// The level `trends <path> --help` describes (`path`: subcommand names).
fn level(path: &[String]) -> Level {
    let out = Command::new(support::trends_binary())
        .args(path)
        .arg("--help")
        .output()
        .expect("run trends --help");
    let mut level = Level::default();
    let mut section = String::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if !line.starts_with(' ') {
            section = line.trim_end_matches(':').to_string();
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let spec = line.trim_start().split("  ").next().unwrap_or("");
        if section == "Commands" && indent == 2 && spec != "help" {
            level.commands.push(spec.to_string());
        }
        if section == "Options" && indent <= 6 && spec.starts_with('-') && spec.contains('<') {
            level.valued.extend(
                spec.split([',', ' '])
                    .filter(|w| w.starts_with('-'))
                    .map(String::from),
            );
        }
    }
    level
}

/// The argument lists that check a command: each level's own arguments up
/// to its subcommand (when it has options there), then the whole line.
fn argument_lists(args: &[String], levels: &mut HashMap<Vec<String>, Level>) -> Vec<Vec<String>> {
    let mut lists = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < args.len() {
        let here = levels.entry(path.clone()).or_insert_with(|| level(&path));
        let arg = &args[i];
        if arg.starts_with('-') {
            let takes_value = !arg.contains('=') && here.valued.contains(arg);
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        if here.commands.contains(arg) {
            if args[start..i].iter().any(|a| a.starts_with('-')) {
                lists.push(args[..i].to_vec());
            }
            path.push(arg.clone());
            start = i + 1;
        }
        i += 1;
    }
    lists.push(args.to_vec());
    lists
}

#[test]
fn every_trends_command_the_documents_show_is_accepted_by_the_binary() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let mut levels = HashMap::new();
    let mut failed = Vec::new();
    let mut readme = 0;
    for doc in documents() {
        for (line, text, env, args) in shown_commands(&doc) {
            if doc == Path::new("README.md") {
                readme += 1;
            }
            for list in argument_lists(&args, &mut levels) {
                if let Some(why) = refused(&list, &env, scratch.path()) {
                    failed.push(format!(
                        "{}:{line}: `{text}`: `trends {} --help`: {why}",
                        doc.display(),
                        list.join(" ")
                    ));
                    break;
                }
            }
        }
    }
    assert!(readme >= 5, "only {readme} commands found in README.md");
    assert!(
        std::fs::read_dir(scratch.path())
            .expect("scratch")
            .next()
            .is_none(),
        "a checked command wrote a file: it ran instead of printing its help"
    );
    assert!(
        failed.is_empty(),
        "refused commands:\n{}",
        failed.join("\n")
    );
}

#[test]
fn the_check_refuses_what_the_parser_refuses() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    let mut levels = HashMap::new();
    let mut check = |line: &str| {
        argument_lists(&words(line), &mut levels)
            .iter()
            .find_map(|list| refused(list, &[], scratch.path()))
    };
    for bad in [
        "bogus",
        "report --bogus",
        "report --format bogus",
        "explain django --format html",
        "collect --max-run-secs 0",
        "completions nosuchshell",
        "config bogus",
        // clap alone accepts these two before a subcommand's --help:
        "--log-format yaml report",
        "--db x --log-format yaml -v config check --latency-ms 1",
    ] {
        assert!(check(bad).is_some(), "`trends {bad}` was accepted");
    }
    for good in [
        "report --format csv --year 2025",
        "-vv --db x --log-format json config check --latency-ms 1",
        "--log-format=json collect --dry-run",
    ] {
        assert_eq!(check(good), None, "`trends {good}` was refused");
    }
    assert_eq!(
        argument_lists(&words("--db x.duckdb report --year 2025"), &mut levels),
        [
            words("--db x.duckdb"),
            words("--db x.duckdb report --year 2025")
        ]
    );
    // The shell syntax the documents use.
    let line = "17 3 * * *  cd /srv && trends config check > /dev/null && GITHUB_TOKEN=x trends --log-format json collect >> /var/log/t.log 2>&1 # nightly";
    let found: Vec<_> = shell_commands(line)
        .into_iter()
        .filter_map(|(env, w)| trends_arguments(&w).map(|a| (env, a)))
        .collect();
    assert_eq!(
        found,
        [
            (vec![], words("config check")),
            (
                vec![("GITHUB_TOKEN".to_string(), "x".to_string())],
                words("--log-format json collect")
            ),
        ]
    );
    let (_, w) = &shell_commands(r#"cargo run --release -- explain <TECH> --year 2025 | head"#)[0];
    assert_eq!(
        trends_arguments(w).map(fill_placeholders),
        Some(words("explain 1 --year 2025"))
    );
    let (_, w) =
        &shell_commands(r#"/usr/bin/time -f "%e s" target/release/trends export --parquet 'a b'"#)
            [0];
    assert_eq!(
        trends_arguments(w),
        Some(vec!["export".into(), "--parquet".into(), "a b".into()])
    );
    assert_eq!(
        trends_arguments(&words("cp target/release/trends /usr/local/bin/")),
        None
    );
}

#[test]
fn the_link_check_knows_github_anchors() {
    assert_eq!(
        slug("Report: rank every category and year (`trends bench --report`)"),
        "report-rank-every-category-and-year-trends-bench---report"
    );
    assert_eq!(slug("The reader's page"), "the-readers-page");
    assert_eq!(
        slug("Beyond one machine: Parquet"),
        "beyond-one-machine-parquet"
    );
    assert_eq!(
        anchors("# A\n\n```\n# not a heading\n```\n## A\n### b_c — d\n"),
        ["a", "a-1", "b_c--d"]
    );
    assert_eq!(
        links(
            "[x](a.md#b) `[y](no.md)` and ``a `[z](no)` b``\n![i](p.png \"t\")\n```\n[w](no)\n```\n[r]: ref.md\n"
        ),
        [
            (1, "a.md#b".to_string()),
            (2, "p.png".to_string()),
            (6, "ref.md".to_string())
        ]
    );
}

#[test]
fn the_readme_gives_the_test_command_ci_runs() {
    const TEST: &str = "cargo test --workspace --locked";
    let ci = read(Path::new(".ci/run"));
    assert!(
        ci.lines().any(|l| l.trim() == TEST),
        ".ci/run no longer runs `{TEST}`: change README.md's \"Every test\" with it"
    );
    let (_, blocks) = split_fences(&read(Path::new("README.md")));
    let shown: Vec<&str> = blocks
        .iter()
        .flat_map(|b| b.lines.iter())
        .map(|(_, l)| l.split('#').next().unwrap_or("").trim())
        .collect();
    assert!(
        shown.contains(&TEST),
        "README.md shows no `{TEST}` line in a code block: {shown:?}"
    );
}

/// The crate names in the first column of README's "Dependencies and why"
/// table, with their lines.
fn dependency_rows(readme: &str) -> Vec<(usize, String)> {
    let mut rows = Vec::new();
    let mut inside = false;
    for (i, line) in readme.lines().enumerate() {
        if line.starts_with("## ") {
            inside = line == "## Dependencies and why";
            continue;
        }
        let Some(first) = line.strip_prefix("| ").and_then(|l| l.split(" |").next()) else {
            continue;
        };
        if !inside {
            continue;
        }
        // `duckdb` (bundled, `parquet`, …): the features are not crates.
        let crates = first.split('(').next().unwrap_or("");
        for name in crates.split('`').skip(1).step_by(2) {
            rows.push((i + 1, name.to_string()));
        }
    }
    rows
}

#[test]
fn the_readme_says_why_each_dependency_is_there() {
    let manifest: toml::Table = read(Path::new("Cargo.toml")).parse().expect("Cargo.toml");
    let deps: Vec<String> = manifest["workspace"]["dependencies"]
        .as_table()
        .expect("[workspace.dependencies]")
        .keys()
        .filter(|k| !k.starts_with("trends-"))
        .cloned()
        .collect();
    let rows = dependency_rows(&read(Path::new("README.md")));
    let named: Vec<&str> = rows.iter().map(|(_, n)| n.as_str()).collect();
    let missing: Vec<&String> = deps
        .iter()
        .filter(|d| !named.contains(&d.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's \"Dependencies and why\" does not say why {missing:?} are there"
    );
    let stale: Vec<String> = rows
        .iter()
        .filter(|(_, n)| !deps.contains(n))
        .map(|(line, n)| format!("README.md:{line}: {n}"))
        .collect();
    assert!(
        stale.is_empty(),
        "rows for crates that are not in [workspace.dependencies]: {stale:?}"
    );
}
