// Temporary measurement: read + parse only.
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    let t = std::time::Instant::now();
    let sources: Vec<String> = files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let read = t.elapsed();
    let t = std::time::Instant::now();
    let mut n = 0;
    for s in &sources {
        if migsquash::python::parse_module(s).is_ok() {
            n += 1;
        }
    }
    let parse = t.elapsed();
    let t = std::time::Instant::now();
    for s in &sources {
        let _ = migsquash::extract::read_revision_file(
            std::path::Path::new("/dev/null"),
            String::new(),
        );
        let mut f = migsquash::ir::RevisionFile {
            path: "x".into(),
            rel_path: "x".into(),
            source: s.clone(),
            header: Default::default(),
            operations: vec![],
            get_bind: vec![],
            problem: None,
        };
        migsquash::extract::extract_source(&mut f);
    }
    let extract = t.elapsed();
    let bytes: usize = sources.iter().map(|s| s.len()).sum();
    eprintln!(
        "{} files, {} KB: read {:?}, parse+convert {:?} ({n}), full extract {:?}",
        files.len(),
        bytes / 1024,
        read,
        parse,
        extract
    );
}
