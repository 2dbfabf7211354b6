//! The revision DAG as Graphviz DOT or Mermaid. Edges point from parent to
//! child (upgrade direction); heads, bases and merges are highlighted;
//! `depends_on` edges are dashed.

use petgraph::visit::EdgeRef;

use crate::Analysis;
use crate::graph::EdgeKind;

struct NodeInfo {
    id: String,
    label: String,
    head: bool,
    base: bool,
    merge: bool,
}

fn nodes(analysis: &Analysis) -> Vec<NodeInfo> {
    let graph = &analysis.graph;
    let has = |list: &[String], id: &str| list.binary_search_by(|x| x.as_str().cmp(id)).is_ok();
    graph
        .upgrade_order
        .iter()
        .chain(graph.cycles.iter().flatten())
        .map(|id| {
            let file = &analysis.files[graph.file_of(id).expect("node")];
            let message = file.header.message.as_deref().unwrap_or("");
            let short: String = message.chars().take(40).collect();
            NodeInfo {
                id: id.clone(),
                label: if short.is_empty() {
                    id.clone()
                } else {
                    format!("{id}\\n{short}")
                },
                head: has(&graph.heads, id),
                base: has(&graph.bases, id),
                merge: has(&graph.merge_points, id),
            }
        })
        .collect()
}

fn edges(analysis: &Analysis) -> Vec<(String, String, EdgeKind)> {
    let graph = &analysis.graph;
    let id = |n: petgraph::graph::NodeIndex| {
        analysis.files[graph.dag[n]]
            .revision_id()
            .unwrap_or_default()
            .to_owned()
    };
    let mut out: Vec<_> = graph
        .dag
        .edge_references()
        .map(|e| (id(e.source()), id(e.target()), *e.weight()))
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

fn quote(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("\\\\n", "\\n")
}

pub fn dot(analysis: &Analysis) -> String {
    let mut out = String::from(
        "digraph alembic {\n  rankdir=BT;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n",
    );
    for node in nodes(analysis) {
        let mut attrs = vec![format!("label=\"{}\"", quote(&node.label))];
        if node.head {
            attrs.push("style=\"rounded,filled\", fillcolor=\"#ffd8a8\", penwidth=2".to_owned());
        } else if node.merge {
            attrs.push("style=\"rounded,filled\", fillcolor=\"#d0ebff\"".to_owned());
        } else if node.base {
            attrs.push("style=\"rounded,filled\", fillcolor=\"#d3f9d8\"".to_owned());
        }
        out.push_str(&format!(
            "  \"{}\" [{}];\n",
            quote(&node.id),
            attrs.join(", ")
        ));
    }
    for (from, to, kind) in edges(analysis) {
        let style = match kind {
            EdgeKind::DownRevision => "",
            EdgeKind::DependsOn => " [style=dashed, label=\"depends_on\"]",
        };
        out.push_str(&format!(
            "  \"{}\" -> \"{}\"{style};\n",
            quote(&from),
            quote(&to)
        ));
    }
    out.push_str("}\n");
    out
}

pub fn mermaid(analysis: &Analysis) -> String {
    let mut out = String::from("flowchart BT\n");
    let key = |id: &str| {
        format!(
            "r_{}",
            id.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        )
    };
    let nodes = nodes(analysis);
    for node in &nodes {
        let label = node.label.replace("\\n", "<br/>").replace('"', "#quot;");
        out.push_str(&format!("  {}[\"{}\"]\n", key(&node.id), label));
    }
    for (from, to, kind) in edges(analysis) {
        let arrow = match kind {
            EdgeKind::DownRevision => "-->",
            EdgeKind::DependsOn => "-. depends_on .->",
        };
        out.push_str(&format!("  {} {arrow} {}\n", key(&from), key(&to)));
    }
    out.push_str("  classDef head fill:#ffd8a8,stroke:#e8590c,stroke-width:2px\n");
    out.push_str("  classDef merge fill:#d0ebff,stroke:#1c7ed6\n");
    out.push_str("  classDef base fill:#d3f9d8,stroke:#2f9e44\n");
    for (class, pick) in [
        ("head", (|n: &NodeInfo| n.head) as fn(&NodeInfo) -> bool),
        ("merge", |n: &NodeInfo| n.merge && !n.head),
        ("base", |n: &NodeInfo| n.base && !n.head),
    ] {
        let members: Vec<String> = nodes
            .iter()
            .filter(|n| pick(n))
            .map(|n| key(&n.id))
            .collect();
        if !members.is_empty() {
            out.push_str(&format!("  class {} {class}\n", members.join(",")));
        }
    }
    out
}
