//! Reads the naming convention of env.py's `target_metadata` statically.
//!
//! The metadata Alembic is given is found where env.py passes it
//! (`context.configure(target_metadata=...)`) and followed through the
//! project's own modules: names bound at module level, `from x import y`
//! (relative ones too), `X.metadata` of a declarative base (a class with
//! a `metadata` or `registry` attribute, `declarative_base(metadata=...)`,
//! `registry(metadata=...)`, Flask-SQLAlchemy's `SQLAlchemy(...)`),
//! down to a `MetaData(naming_convention=...)` call and its literal dict.
//! Modules are looked for in `prepend_sys_path`, the project folder, its
//! `src/` and the environment folder. Anything that would need running
//! code (a function call, a module outside the project, a computed
//! template) makes the convention [`NamingConvention::Unknown`], located.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::{NamingConvention, SourcePoint};
use crate::discover::Layout;
use crate::ir::LineTable;
use crate::python::{Expr, Module, OtherKind, Stmt, parse_module};

/// Indirections followed before giving up (an import cycle, a deep chain).
const MAX_HOPS: usize = 64;

/// Packages whose declarative bases carry SQLAlchemy's default convention.
const LIBRARIES: &[&str] = &["sqlalchemy", "sqlmodel", "flask_sqlalchemy"];

/// The convention of the metadata env.py gives Alembic.
pub fn read(layout: &Layout) -> NamingConvention {
    let Some(env_dir) = &layout.env_dir else {
        return NamingConvention::Default;
    };
    let env_py = env_dir.join("env.py");
    if !env_py.is_file() {
        return NamingConvention::Default;
    }
    let project = layout
        .config
        .as_deref()
        .and_then(Path::parent)
        .or_else(|| env_dir.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut roots = layout.sys_path.clone();
    roots.extend([project.clone(), project.join("src"), env_dir.clone()]);
    let mut reader = Reader {
        roots,
        hops: 0,
        loaded: BTreeMap::new(),
    };
    match reader.env(&env_py) {
        Ok(None) => NamingConvention::Default,
        Ok(Some((templates, at))) => NamingConvention::Known { templates, at },
        Err(Unknown { at, why }) => NamingConvention::Unknown { at, why },
    }
}

/// A parsed Python file.
struct Source {
    path: PathBuf,
    text: String,
    lines: LineTable,
    module: Module,
    /// Its dotted module name, and whether it is a package's
    /// `__init__.py` (for relative imports and submodules).
    name: Vec<String>,
    is_package: bool,
}

impl Source {
    fn package(&self) -> &[String] {
        if self.is_package {
            &self.name
        } else {
            &self.name[..self.name.len().saturating_sub(1)]
        }
    }
}

impl Source {
    fn point(&self, expr_start: u32) -> SourcePoint {
        let (line, column) = self.lines.line_col(expr_start, || &self.text);
        SourcePoint {
            path: self.path.clone(),
            line,
            column,
        }
    }
}

struct Unknown {
    at: SourcePoint,
    why: String,
}

type Templates = BTreeMap<String, String>;
/// `None`: SQLAlchemy's default convention.
type Found = Option<(Templates, SourcePoint)>;

/// What a name stands for.
enum Def {
    Value(Rc<Source>, Expr),
    Class(Rc<Source>, Stmt),
    Module(Rc<Source>),
    /// Defined in a module that is not in the project: `package.name`.
    External(String),
}

struct Reader {
    roots: Vec<PathBuf>,
    hops: usize,
    loaded: BTreeMap<PathBuf, Rc<Source>>,
}

impl Reader {
    fn env(&mut self, env_py: &Path) -> Result<Found, Unknown> {
        let env = self
            .load(env_py, Vec::new(), false)
            .map_err(|why| Unknown {
                at: SourcePoint {
                    path: env_py.to_path_buf(),
                    line: 1,
                    column: 1,
                },
                why,
            })?;
        let mut given = Vec::new();
        env.module.walk_exprs(&mut |e| {
            if let Expr::Call { keywords, .. } = e {
                for k in keywords {
                    if k.arg.as_deref() == Some("target_metadata") {
                        given.push(k.value.clone());
                    }
                }
            }
        });
        // No `target_metadata` passed: Alembic has no convention to copy.
        let mut found: Option<Found> = None;
        for expr in &given {
            let this = self.metadata(&env, expr)?;
            match &found {
                Some(before) if before.as_ref().map(|f| &f.0) != this.as_ref().map(|f| &f.0) => {
                    return Err(unknown(
                        &env,
                        expr,
                        "env.py passes Alembic different metadata in different places",
                    ));
                }
                _ => found = Some(this),
            }
        }
        Ok(found.flatten())
    }

    fn hop(&mut self, source: &Source, expr: &Expr) -> Result<(), Unknown> {
        self.hops += 1;
        if self.hops > MAX_HOPS {
            return Err(unknown(source, expr, "too many indirections to follow"));
        }
        Ok(())
    }

    /// The convention of a metadata expression.
    fn metadata(&mut self, source: &Rc<Source>, expr: &Expr) -> Result<Found, Unknown> {
        self.hop(source, expr)?;
        match expr {
            Expr::NoneLiteral { .. } | Expr::List { .. } | Expr::Tuple { .. } => Ok(None),
            Expr::Call { func, keywords, .. } => {
                if callee(func) == Some("MetaData") {
                    match keywords
                        .iter()
                        .find(|k| k.arg.as_deref() == Some("naming_convention"))
                    {
                        Some(k) => self.convention(source, &k.value),
                        None => Ok(None),
                    }
                } else {
                    Err(unknown(
                        source,
                        expr,
                        "the metadata comes from a function call",
                    ))
                }
            }
            Expr::Attribute { value, attr, .. } if attr == "metadata" => {
                self.owner_metadata(source, value)
            }
            Expr::Name { .. } | Expr::Attribute { .. } => match self.symbol(source, expr)? {
                Def::Value(s, value) => self.metadata(&s, &value),
                Def::External(name) => external(source, expr, &name, "metadata"),
                Def::Class(..) | Def::Module(..) => {
                    Err(unknown(source, expr, "this is not a MetaData"))
                }
            },
            _ => Err(unknown(source, expr, "the metadata is computed")),
        }
    }

    /// The convention of `owner.metadata`, for a declarative base, a
    /// registry or a Flask-SQLAlchemy object.
    fn owner_metadata(&mut self, source: &Rc<Source>, owner: &Expr) -> Result<Found, Unknown> {
        self.hop(source, owner)?;
        if let Expr::Call {
            func,
            keywords,
            args,
            ..
        } = owner
        {
            let keyword = |name: &str| keywords.iter().find(|k| k.arg.as_deref() == Some(name));
            return match callee(func) {
                Some("declarative_base" | "registry" | "SQLAlchemy") => {
                    if let Some(k) = keyword("metadata") {
                        self.metadata(source, &k.value)
                    } else if let Some(k) = keyword("model_class") {
                        self.owner_metadata(source, &k.value)
                    } else if args.is_empty() || callee(func) == Some("declarative_base") {
                        Ok(None)
                    } else {
                        Err(unknown(
                            source,
                            owner,
                            "the metadata is passed positionally",
                        ))
                    }
                }
                Some("generate_base") => match func.as_ref() {
                    Expr::Attribute { value, .. } => self.owner_metadata(source, value),
                    _ => Err(unknown(
                        source,
                        owner,
                        "the base comes from a function call",
                    )),
                },
                _ => Err(unknown(
                    source,
                    owner,
                    "the base comes from a function call",
                )),
            };
        }
        match self.symbol(source, owner)? {
            Def::Value(s, value) => self.owner_metadata(&s, &value),
            Def::Class(s, class) => self.class_metadata(&s, &class),
            Def::External(name) => external(source, owner, &name, "declarative base"),
            Def::Module(_) => Err(unknown(source, owner, "a module's `metadata` attribute")),
        }
    }

    fn class_metadata(&mut self, source: &Rc<Source>, class: &Stmt) -> Result<Found, Unknown> {
        let Stmt::ClassDef { bases, body, .. } = class else {
            unreachable!("a class definition")
        };
        for stmt in body {
            let (target, value) = match stmt {
                Stmt::Assign { targets, value, .. } if targets.len() == 1 => (&targets[0], value),
                Stmt::AnnAssign {
                    target,
                    value: Some(value),
                    ..
                } => (target, value),
                _ => continue,
            };
            match target.as_name() {
                Some("metadata") => return self.metadata(source, value),
                Some("registry") => return self.owner_metadata(source, value),
                _ => {}
            }
        }
        // The first base that is not a library's takes the place of
        // Python's method resolution order (bases are rarely mixed here).
        for base in bases {
            match self.symbol(source, base)? {
                Def::External(name) if is_library(&name) => continue,
                Def::External(name) => return external(source, base, &name, "base class"),
                Def::Class(s, class) => return self.class_metadata(&s, &class),
                Def::Value(s, value) => return self.owner_metadata(&s, &value),
                Def::Module(_) => return Err(unknown(source, base, "a module used as a base")),
            }
        }
        Ok(None)
    }

    /// `naming_convention=...`: a literal dict of strings, or a name bound
    /// to one.
    fn convention(&mut self, source: &Rc<Source>, expr: &Expr) -> Result<Found, Unknown> {
        self.hop(source, expr)?;
        let mut templates = Templates::new();
        let mut add = |key: &Expr, value: &Expr| -> Result<(), Unknown> {
            let (Some(k), Some(v)) = (key.as_str(), value.as_str()) else {
                let bad = if key.as_str().is_none() { key } else { value };
                return Err(unknown(
                    source,
                    bad,
                    "the naming convention holds a key or template that is not a string literal",
                ));
            };
            templates.insert(k.to_owned(), v.to_owned());
            Ok(())
        };
        match expr {
            Expr::Other {
                kind: OtherKind::Dict,
                children,
                ..
            } => {
                for pair in children.chunks(2) {
                    if let [key, value] = pair {
                        add(key, value)?;
                    }
                }
            }
            Expr::Call {
                func,
                args,
                keywords,
                ..
            } if callee(func) == Some("dict") && args.is_empty() => {
                for k in keywords {
                    let Some(name) = &k.arg else {
                        return Err(unknown(source, expr, "the naming convention is unpacked"));
                    };
                    add(
                        &Expr::Str {
                            value: name.clone(),
                            span: k.span,
                        },
                        &k.value,
                    )?;
                }
            }
            Expr::Name { .. } | Expr::Attribute { .. } => {
                return match self.symbol(source, expr)? {
                    Def::Value(s, value) => self.convention(&s, &value),
                    Def::External(name) => external(source, expr, &name, "naming convention"),
                    _ => Err(unknown(source, expr, "this is not a dict")),
                };
            }
            _ => return Err(unknown(source, expr, "the naming convention is computed")),
        }
        // An empty convention is SQLAlchemy's default one.
        Ok((!templates.is_empty()).then(|| (templates, source.point(expr.span().start))))
    }

    /// What a name or a `module.name` attribute stands for.
    fn symbol(&mut self, source: &Rc<Source>, expr: &Expr) -> Result<Def, Unknown> {
        self.hop(source, expr)?;
        match expr {
            Expr::Name { id, .. } => self.binding(source, id).unwrap_or_else(|| {
                Err(unknown(
                    source,
                    expr,
                    &format!("`{id}` is not defined at the top level of this file"),
                ))
            }),
            Expr::Attribute { value, attr, .. } => match self.symbol(source, value)? {
                Def::Module(module) => self.binding(&module, attr).unwrap_or_else(|| {
                    // `import app.db` then `app.db.Base`: a submodule.
                    if let Def::Module(sub) =
                        self.module_def(&format!("{}.{attr}", module.name.join(".")))
                    {
                        return Ok(Def::Module(sub));
                    }
                    Err(unknown(
                        source,
                        expr,
                        &format!(
                            "`{attr}` is not defined at the top level of {}",
                            crate::fsio::display_path(&module.path)
                        ),
                    ))
                }),
                Def::External(name) => Ok(Def::External(format!("{name}.{attr}"))),
                _ => Err(unknown(
                    source,
                    expr,
                    "an attribute migsquash cannot follow",
                )),
            },
            _ => Err(unknown(
                source,
                expr,
                "an expression migsquash cannot follow",
            )),
        }
    }

    /// The last top-level binding of `name` in a module (statements under
    /// `if`/`try` included), as its definition.
    fn binding(&mut self, source: &Rc<Source>, name: &str) -> Option<Result<Def, Unknown>> {
        fn last<'a>(body: &'a [Stmt], name: &str, found: &mut Option<&'a Stmt>) {
            for stmt in body {
                let binds = match stmt {
                    Stmt::Assign { targets, .. } => {
                        targets.iter().any(|t| t.as_name() == Some(name))
                    }
                    Stmt::AnnAssign { target, value, .. } => {
                        value.is_some() && target.as_name() == Some(name)
                    }
                    Stmt::ClassDef { name: n, .. } | Stmt::FunctionDef { name: n, .. } => n == name,
                    Stmt::Import { names, .. } | Stmt::ImportFrom { names, .. } => {
                        names.iter().any(|n| bound_name(n, stmt) == name)
                    }
                    Stmt::Block { bodies, .. } => {
                        for b in bodies {
                            last(b, name, found);
                        }
                        false
                    }
                    _ => false,
                };
                if binds {
                    *found = Some(stmt);
                }
            }
        }
        let mut found = None;
        last(&source.module.body, name, &mut found);
        let stmt = found?.clone();
        Some(match &stmt {
            Stmt::Assign { value, .. }
            | Stmt::AnnAssign {
                value: Some(value), ..
            } => Ok(Def::Value(source.clone(), value.clone())),
            Stmt::ClassDef { .. } => Ok(Def::Class(source.clone(), stmt.clone())),
            Stmt::Import { names, .. } => {
                let n = names
                    .iter()
                    .rev()
                    .find(|n| bound_name(n, &stmt) == name)
                    .expect("found above");
                // `import a.b` binds `a`; `import a.b as c` binds `a.b`.
                let dotted = if n.asname.is_some() {
                    n.name.clone()
                } else {
                    name.to_owned()
                };
                Ok(self.module_def(&dotted))
            }
            Stmt::ImportFrom {
                module,
                level,
                names,
                span,
            } => {
                let n = names
                    .iter()
                    .rev()
                    .find(|n| bound_name(n, &stmt) == name)
                    .expect("found above");
                let mut package: Vec<String> = if *level == 0 {
                    Vec::new()
                } else {
                    let package = source.package();
                    let keep = package.len().saturating_sub(*level as usize - 1);
                    package[..keep].to_vec()
                };
                package.extend(module.iter().flat_map(|m| m.split('.').map(str::to_owned)));
                let dotted = package.join(".");
                match self.module_def(&dotted) {
                    Def::Module(m) => match self.binding(&m, &n.name) {
                        Some(def) => def,
                        // `from pkg import submodule`.
                        None => match self.module_def(&format!("{dotted}.{}", n.name)) {
                            Def::Module(sub) => Ok(Def::Module(sub)),
                            _ => Err(Unknown {
                                at: source.point(span.start),
                                why: format!(
                                    "`{}` is not defined at the top level of {}",
                                    n.name,
                                    crate::fsio::display_path(&m.path)
                                ),
                            }),
                        },
                    },
                    Def::External(module) => Ok(Def::External(format!("{module}.{}", n.name))),
                    _ => unreachable!("module_def gives a module or an external name"),
                }
            }
            _ => Err(Unknown {
                at: source.point(stmt.span().start),
                why: format!("`{name}` is defined by a function"),
            }),
        })
    }

    /// The project's module `dotted`, or an external name when it is not in
    /// the project.
    fn module_def(&mut self, dotted: &str) -> Def {
        let parts: Vec<String> = dotted.split('.').map(str::to_owned).collect();
        for root in self.roots.clone() {
            let base = parts.iter().fold(root, |p, part| p.join(part));
            for (file, is_package) in [
                (base.with_extension("py"), false),
                (base.join("__init__.py"), true),
            ] {
                if file.is_file()
                    && let Ok(source) = self.load(&file, parts.clone(), is_package)
                {
                    return Def::Module(source);
                }
            }
        }
        Def::External(dotted.to_owned())
    }

    fn load(
        &mut self,
        path: &Path,
        name: Vec<String>,
        is_package: bool,
    ) -> Result<Rc<Source>, String> {
        if let Some(source) = self.loaded.get(path) {
            return Ok(source.clone());
        }
        let bytes = crate::fsio::read_regular(path, crate::fsio::MAX_INPUT_BYTES)
            .map_err(|e| format!("cannot read it: {e}"))?;
        let text = String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_owned())?;
        let module = parse_module(&text).map_err(|e| format!("cannot parse it: {}", e.message))?;
        let source = Rc::new(Source {
            path: path.to_path_buf(),
            lines: LineTable::new(&text),
            text,
            module,
            name,
            is_package,
        });
        self.loaded.insert(path.to_path_buf(), source.clone());
        Ok(source)
    }
}

fn bound_name<'a>(n: &'a crate::python::ImportName, stmt: &Stmt) -> &'a str {
    match (&n.asname, stmt) {
        (Some(alias), _) => alias,
        (None, Stmt::Import { .. }) => n.name.split('.').next().unwrap_or(&n.name),
        (None, _) => &n.name,
    }
}

/// The last name of a call's callee: `sa.MetaData` → `MetaData`.
fn callee(func: &Expr) -> Option<&str> {
    match func {
        Expr::Name { id, .. } => Some(id),
        Expr::Attribute { attr, .. } => Some(attr),
        _ => None,
    }
}

fn is_library(name: &str) -> bool {
    LIBRARIES.contains(&name.split('.').next().unwrap_or(name))
}

fn unknown(source: &Source, expr: &Expr, why: &str) -> Unknown {
    Unknown {
        at: source.point(expr.span().start),
        why: why.to_owned(),
    }
}

/// A definition outside the project: a library's declarative base has the
/// default convention; anything else cannot be read.
fn external(source: &Source, expr: &Expr, name: &str, what: &str) -> Result<Found, Unknown> {
    if is_library(name) && what != "naming convention" {
        return Ok(None);
    }
    Err(unknown(
        source,
        expr,
        &format!("the {what} `{name}` is imported from outside the project folder"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project: `files` (path → text), env.py in `migrations/`.
    fn convention_of(files: &[(&str, &str)]) -> (tempfile::TempDir, NamingConvention) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let layout = Layout {
            config: Some(dir.path().join("alembic.ini")),
            version_locations: vec![dir.path().join("migrations/versions")],
            recursive: false,
            dialect: None,
            env_dir: Some(dir.path().join("migrations")),
            sys_path: vec![dir.path().to_path_buf()],
        };
        let convention = read(&layout);
        (dir, convention)
    }

    const ENV: &str = "from alembic import context\nfrom app.db import Base\ntarget_metadata = Base.metadata\n\ndef run():\n    context.configure(url='x', target_metadata=target_metadata)\n";

    fn templates(c: &NamingConvention) -> Vec<(String, String)> {
        match c {
            NamingConvention::Known { templates, .. } => templates.clone().into_iter().collect(),
            other => panic!("not known: {other:?}"),
        }
    }

    #[test]
    fn follows_imports_to_a_declarative_base() {
        let (_dir, c) = convention_of(&[
            ("migrations/env.py", ENV),
            ("app/__init__.py", ""),
            ("app/db.py", "from .base import Model as Base\n"),
            (
                "app/base.py",
                "import sqlalchemy as sa\nfrom sqlalchemy.orm import DeclarativeBase\nconvention = {\n    'uq': 'uq_%(table_name)s_%(column_0_name)s',\n    'pk': 'pk_%(table_name)s',\n}\nclass Model(DeclarativeBase):\n    metadata = sa.MetaData(naming_convention=convention)\n",
            ),
        ]);
        assert_eq!(
            templates(&c),
            [
                ("pk".to_owned(), "pk_%(table_name)s".to_owned()),
                (
                    "uq".to_owned(),
                    "uq_%(table_name)s_%(column_0_name)s".to_owned()
                ),
            ]
        );
        let NamingConvention::Known { at, .. } = &c else {
            unreachable!()
        };
        assert!(at.path.ends_with("app/base.py"));
        assert_eq!((at.line, at.column), (3, 14));
    }

    #[test]
    fn declarative_base_registry_and_subclasses() {
        for base in [
            "from sqlalchemy import MetaData\nfrom sqlalchemy.orm import declarative_base\nmeta = MetaData(naming_convention=dict(pk='pk_%(table_name)s'))\nBase = declarative_base(metadata=meta)\n",
            "import sqlalchemy as sa\nfrom sqlalchemy import orm\nclass Base(orm.DeclarativeBase):\n    registry = orm.registry(metadata=sa.MetaData(naming_convention={'pk': 'pk_%(table_name)s'}))\n",
            "import sqlalchemy as sa\nfrom sqlalchemy.orm import DeclarativeBase\nclass Root(DeclarativeBase):\n    metadata = sa.MetaData(naming_convention={'pk': 'pk_%(table_name)s'})\nclass Base(Root):\n    __abstract__ = True\n",
        ] {
            let (_dir, c) = convention_of(&[("migrations/env.py", ENV), ("app/db.py", base)]);
            assert_eq!(
                templates(&c),
                [("pk".to_owned(), "pk_%(table_name)s".to_owned())],
                "{base}"
            );
        }
    }

    #[test]
    fn no_convention() {
        for (env, app) in [
            (
                "target_metadata = None\ncontext.configure(target_metadata=target_metadata)\n",
                "",
            ),
            ("context.configure(url='x')\n", ""),
            (
                ENV,
                "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n",
            ),
            (ENV, "from sqlmodel import SQLModel as Base\n"),
            (
                ENV,
                "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base\nBase = declarative_base(metadata=sa.MetaData(naming_convention={}))\n",
            ),
            (
                "from app.db import Base\ncontext.configure(target_metadata=[Base.metadata])\n",
                "",
            ),
        ] {
            let (_dir, c) = convention_of(&[("migrations/env.py", env), ("app/db.py", app)]);
            assert_eq!(c, NamingConvention::Default, "{env}\n{app}");
        }
    }

    #[test]
    fn what_needs_running_code_is_unknown_and_located() {
        for (env, app, line, why) in [
            (
                "def get_metadata():\n    return db.metadata\ncontext.configure(target_metadata=get_metadata())\n",
                "",
                3,
                "function call",
            ),
            (
                ENV,
                "from flask_app.models import Base\n",
                3,
                "outside the project",
            ),
            (
                ENV,
                "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base\nBase = declarative_base(metadata=sa.MetaData(naming_convention={'uq': make()}))\n",
                3,
                "not a string literal",
            ),
            (ENV, "Base = make_base()\n", 1, "function call"),
        ] {
            let (_dir, c) = convention_of(&[("migrations/env.py", env), ("app/db.py", app)]);
            let NamingConvention::Unknown { at, why: said } = &c else {
                panic!("{env}\n{app}: {c:?}")
            };
            assert_eq!(at.line, line, "{env}\n{app}: {said}");
            assert!(said.contains(why), "{said}");
        }
    }
}
