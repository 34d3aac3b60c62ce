//! What templates may not do, checked when the theme is loaded: a template
//! must never crash casebook, or take the live preview down with it.
//!
//! Tera has no bound on recursion, and a macro that calls itself without end
//! overflows the stack, which aborts the process (no unwinding, no message).
//! So the theme is refused, with the template and macro named, when its
//! macros and includes can call themselves: [`check_recursion`] looks for a
//! cycle in the graph of macro calls, includes and `extends` of all
//! templates. The built-in theme has none. Tera's own `range` allocates the
//! whole list however long, so [`register`] puts a bounded `range` in its
//! place, and turns `get_env` off (it would publish any environment variable,
//! such as a CI token).

use std::collections::{BTreeMap, HashMap};

use tera::ast::{Expr, ExprVal, Node};
use tera::{Tera, Value};

/// The most numbers one `range(...)` call may make.
pub const RANGE_LIMIT: usize = 100_000;

/// Registers the bounded `range` and a `get_env` that always fails.
pub(super) fn register(tera: &mut Tera) {
    tera.register_function("range", range);
    tera.register_function("get_env", |_: &HashMap<String, Value>| {
        Err(tera::Error::msg(
            "get_env() is turned off in casebook: templates cannot read environment variables",
        ))
    });
}

/// A whole-number argument of `range`.
fn number(args: &HashMap<String, Value>, key: &str, default: Option<usize>) -> tera::Result<usize> {
    match args.get(key) {
        Some(value) => tera::from_value::<usize>(value.clone()).map_err(|_| {
            tera::Error::msg(format!(
                "Function `range` received {key}={value} but `{key}` can only be a whole number"
            ))
        }),
        None => default.ok_or_else(|| {
            tera::Error::msg(format!(
                "Function `range` was called without a `{key}` argument"
            ))
        }),
    }
}

/// `range(end, start=0, step_by=1)` as Tera has it, refusing more than
/// [`RANGE_LIMIT`] numbers.
fn range(args: &HashMap<String, Value>) -> tera::Result<Value> {
    let start = number(args, "start", Some(0))?;
    let step = number(args, "step_by", Some(1))?;
    let end = number(args, "end", None)?;
    if step == 0 {
        return Err(tera::Error::msg("Function `range` received step_by=0"));
    }
    if start > end {
        return Err(tera::Error::msg(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    let count = (end - start).div_ceil(step);
    if count > RANGE_LIMIT {
        return Err(tera::Error::msg(format!(
            "Function `range` would make {count} numbers; casebook allows at most {RANGE_LIMIT}"
        )));
    }
    Ok(Value::Array(
        (start..end).step_by(step).map(Value::from).collect(),
    ))
}

/// A node of the call graph: a template (`macro_name` empty) or a macro of one.
type Vertex = (String, String);

/// A cycle of calls: the template the first call is in, and how it is shown
/// (`macros.html: tree → tree`).
pub(super) struct Recursion {
    /// The template file the cycle starts in.
    pub template: String,
    /// The macro the cycle starts in, if it starts in one.
    pub macro_name: Option<String>,
    /// The cycle, as `a → b → a`.
    pub path: String,
}

/// Finds a cycle in the calls between the templates of `tera`, if any.
pub(super) fn check_recursion(tera: &Tera) -> Option<Recursion> {
    let mut edges: BTreeMap<Vertex, Vec<Vertex>> = BTreeMap::new();
    let mut names: Vec<&str> = tera.get_template_names().collect();
    names.sort_unstable();
    for name in &names {
        let Ok(template) = tera.get_template(name) else {
            continue;
        };
        let imports: HashMap<&str, &str> = template
            .imported_macro_files
            .iter()
            .map(|(file, namespace)| (namespace.as_str(), file.as_str()))
            .collect();
        let resolve = |namespace: &str| -> Option<String> {
            if namespace == "self" {
                Some(name.to_string())
            } else {
                imports.get(namespace).map(|f| f.to_string())
            }
        };
        let mut calls = Vec::new();
        nodes(&template.ast, &mut calls);
        let mut out: Vec<Vertex> = calls
            .into_iter()
            .filter_map(|(ns, target)| match ns {
                None => Some((target, String::new())),
                Some(ns) => resolve(&ns).map(|file| (file, target)),
            })
            .collect();
        if let Some(parent) = &template.parent {
            out.push((parent.clone(), String::new()));
        }
        edges.insert((name.to_string(), String::new()), out);
        let mut macros: Vec<_> = template.macros.iter().collect();
        macros.sort_by(|a, b| a.0.cmp(b.0));
        for (macro_name, definition) in macros {
            let mut calls = Vec::new();
            nodes(&definition.body, &mut calls);
            let out = calls
                .into_iter()
                .filter_map(|(ns, target)| match ns {
                    None => Some((target, String::new())),
                    Some(ns) => resolve(&ns).map(|file| (file, target)),
                })
                .collect();
            edges.insert((name.to_string(), macro_name.clone()), out);
        }
    }
    find_cycle(&edges)
}

/// Depth-first search for a cycle; iterative, so a deep graph cannot
/// overflow the stack either.
fn find_cycle(edges: &BTreeMap<Vertex, Vec<Vertex>>) -> Option<Recursion> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Open,
        Done,
    }
    let mut state: HashMap<&Vertex, State> = HashMap::new();
    for start in edges.keys() {
        if state.contains_key(start) {
            continue;
        }
        let mut stack: Vec<(&Vertex, usize)> = vec![(start, 0)];
        state.insert(start, State::Open);
        while let Some(&mut (vertex, ref mut next)) = stack.last_mut() {
            let targets = edges.get(vertex).map(Vec::as_slice).unwrap_or(&[]);
            if let Some(target) = targets.get(*next) {
                *next += 1;
                match state.get(target) {
                    Some(State::Open) => {
                        let from = stack.iter().position(|(v, _)| *v == target).unwrap_or(0);
                        let mut path: Vec<String> =
                            stack[from..].iter().map(|(v, _)| show(v)).collect();
                        path.push(show(target));
                        return Some(Recursion {
                            template: target.0.clone(),
                            macro_name: (!target.1.is_empty()).then(|| target.1.clone()),
                            path: path.join(" → "),
                        });
                    }
                    Some(State::Done) => {}
                    None => {
                        // Only vertices with edges are followed; a call to
                        // an unknown template or macro fails at render time.
                        if let Some((key, _)) = edges.get_key_value(target) {
                            state.insert(key, State::Open);
                            stack.push((key, 0));
                        }
                    }
                }
            } else {
                state.insert(vertex, State::Done);
                stack.pop();
            }
        }
    }
    None
}

/// `macros.html::tree` or `page.html`.
fn show(vertex: &Vertex) -> String {
    if vertex.1.is_empty() {
        vertex.0.clone()
    } else {
        format!("{}::{}", vertex.0, vertex.1)
    }
}

/// Collects the includes (`(None, template)`) and macro calls
/// (`(Some(namespace), macro)`) in `body`, not entering macro definitions.
fn nodes(body: &[Node], calls: &mut Vec<(Option<String>, String)>) {
    for node in body {
        match node {
            Node::VariableBlock(_, e) => expr(e, calls),
            Node::Include(_, files, _) => {
                calls.extend(files.iter().map(|f| (None, f.clone())));
            }
            Node::Set(_, set) => expr(&set.value, calls),
            Node::FilterSection(_, section, _) => {
                section.filter.args.values().for_each(|e| expr(e, calls));
                nodes(&section.body, calls);
            }
            Node::Block(_, block, _) => nodes(&block.body, calls),
            Node::Forloop(_, for_loop, _) => {
                expr(&for_loop.container, calls);
                nodes(&for_loop.body, calls);
                if let Some(empty) = &for_loop.empty_body {
                    nodes(empty, calls);
                }
            }
            Node::If(branches, _) => {
                for (_, condition, body) in &branches.conditions {
                    expr(condition, calls);
                    nodes(body, calls);
                }
                if let Some((_, body)) = &branches.otherwise {
                    nodes(body, calls);
                }
            }
            _ => {}
        }
    }
}

/// The macro calls in an expression, its arguments and filters.
fn expr(e: &Expr, calls: &mut Vec<(Option<String>, String)>) {
    for filter in &e.filters {
        filter.args.values().for_each(|a| expr(a, calls));
    }
    value(&e.val, calls);
}

/// See [`expr`].
fn value(v: &ExprVal, calls: &mut Vec<(Option<String>, String)>) {
    match v {
        ExprVal::MacroCall(call) => {
            calls.push((Some(call.namespace.clone()), call.name.clone()));
            call.args.values().for_each(|a| expr(a, calls));
        }
        ExprVal::FunctionCall(call) => call.args.values().for_each(|a| expr(a, calls)),
        ExprVal::Math(m) => {
            expr(&m.lhs, calls);
            expr(&m.rhs, calls);
        }
        ExprVal::Logic(l) => {
            expr(&l.lhs, calls);
            expr(&l.rhs, calls);
        }
        ExprVal::In(i) => {
            expr(&i.lhs, calls);
            expr(&i.rhs, calls);
        }
        ExprVal::Test(t) => t.args.iter().for_each(|a| expr(a, calls)),
        ExprVal::Array(items) => items.iter().for_each(|a| expr(a, calls)),
        ExprVal::StringConcat(c) => c.values.iter().for_each(|a| value(a, calls)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera(templates: &[(&str, &str)]) -> Tera {
        let mut tera = Tera::default();
        tera.add_raw_templates(templates.iter().copied()).unwrap();
        tera
    }

    #[test]
    fn recursive_macros_and_includes_are_found() {
        let direct = tera(&[
            (
                "m.html",
                "{% macro t(n) %}{{ self::t(n=n) }}{% endmacro t %}",
            ),
            ("p.html", "{% import \"m.html\" as m %}{{ m::t(n=1) }}"),
        ]);
        let found = check_recursion(&direct).unwrap();
        assert_eq!(found.path, "m.html::t → m.html::t");
        let mutual = tera(&[
            (
                "m.html",
                "{% macro a() %}{% if true %}{{ self::b() }}{% endif %}{% endmacro a %}\
                 {% macro b() %}{% for x in [1] %}{{ self::a() | upper }}{% endfor %}{% endmacro b %}",
            ),
        ]);
        assert!(check_recursion(&mutual).unwrap().path.contains("m.html::a"));
        let include = tera(&[
            ("a.html", "{% include \"b.html\" %}"),
            ("b.html", "{% include \"a.html\" %}"),
        ]);
        assert_eq!(
            check_recursion(&include).unwrap().path,
            "a.html → b.html → a.html"
        );
        let fine = tera(&[
            (
                "m.html",
                "{% macro a() %}{{ self::b() }}{% endmacro a %}{% macro b() %}x{% endmacro b %}",
            ),
            (
                "p.html",
                "{% import \"m.html\" as m %}{{ m::a() }}{% include \"q.html\" %}",
            ),
            ("q.html", "{% import \"m.html\" as m %}{{ m::b() }}"),
        ]);
        assert!(check_recursion(&fine).is_none());
    }

    #[test]
    fn range_is_bounded_and_get_env_is_off() {
        let mut t = Tera::default();
        register(&mut t);
        let ctx = tera::Context::new();
        let ok = t.render_str(
            "{% for i in range(end=5, step_by=2) %}{{ i }}{% endfor %}",
            &ctx,
        );
        assert_eq!(ok.unwrap(), "024");
        let big = t.render_str("{{ range(end=400000000) | length }}", &ctx);
        assert!(big.is_err());
        let env = t.render_str("{{ get_env(name=\"PATH\") }}", &ctx);
        assert!(format!("{:?}", env.unwrap_err()).contains("turned off"));
    }
}
