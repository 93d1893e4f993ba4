//! `Display` for the AST: canonical Cypher.
//!
//! Canonical text is one line: keywords in upper case, one space between
//! tokens where Cypher needs one, strings single-quoted with escapes, names
//! back-quoted only when they need it, and parentheses only where precedence
//! needs them. Parsing the printed text gives back an equal AST (spans aside).

use std::fmt::{self, Display, Formatter, Write};

use crate::query::syntax::ast::*;
use crate::query::syntax::lexer::{is_plain_name, is_reserved};

/// Writes a variable name, back-quoted when it is not a plain identifier or
/// is a reserved word.
pub(crate) fn write_var(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    if is_plain_name(name) && !is_reserved(name) {
        f.write_str(name)
    } else {
        write_quoted(f, name)
    }
}

/// Writes a label, relationship type, property key or map key: keywords are
/// fine here, so only names that are not plain identifiers are back-quoted.
pub(crate) fn write_name(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    if is_plain_name(name) {
        f.write_str(name)
    } else {
        write_quoted(f, name)
    }
}

fn write_quoted(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    f.write_char('`')?;
    f.write_str(&name.replace('`', "``"))?;
    f.write_char('`')
}

/// Writes a string literal in single quotes with escapes.
pub(crate) fn write_string(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\'' => f.write_str("\\'")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            c if c.is_control() => write!(f, "\\u{:04X}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('\'')
}

fn comma_list<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    mut each: impl FnMut(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        each(f, item)?;
    }
    Ok(())
}

impl Display for Ident {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_var(f, &self.name)
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.explain {
            f.write_str("EXPLAIN ")?;
        }
        if self.profile {
            f.write_str("PROFILE ")?;
        }
        self.query.fmt(f)
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                let all = self.union_all.get(i - 1).copied().unwrap_or(false);
                f.write_str(if all { " UNION ALL " } else { " UNION " })?;
            }
            part.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for SingleQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, clause) in self.clauses.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            clause.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for Clause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ClauseKind::Match {
                optional,
                patterns,
                where_,
            } => {
                if *optional {
                    f.write_str("OPTIONAL ")?;
                }
                f.write_str("MATCH ")?;
                comma_list(f, patterns, |f, p| p.fmt(f))?;
                if let Some(w) = where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
            ClauseKind::Unwind { expr, var } => write!(f, "UNWIND {expr} AS {var}"),
            ClauseKind::With(p) => write!(f, "WITH {p}"),
            ClauseKind::Return(p) => write!(f, "RETURN {p}"),
            ClauseKind::Create { patterns } => {
                f.write_str("CREATE ")?;
                comma_list(f, patterns, |f, p| p.fmt(f))
            }
            ClauseKind::Merge { pattern, actions } => {
                write!(f, "MERGE {pattern}")?;
                for a in actions {
                    write!(f, " {a}")?;
                }
                Ok(())
            }
            ClauseKind::Set { items } => {
                f.write_str("SET ")?;
                comma_list(f, items, |f, i| i.fmt(f))
            }
            ClauseKind::Remove { items } => {
                f.write_str("REMOVE ")?;
                comma_list(f, items, |f, i| i.fmt(f))
            }
            ClauseKind::Delete { detach, exprs } => {
                if *detach {
                    f.write_str("DETACH ")?;
                }
                f.write_str("DELETE ")?;
                comma_list(f, exprs, |f, e| e.fmt(f))
            }
            ClauseKind::Call(call) => write!(f, "CALL {call}"),
            ClauseKind::Schema(cmd) => {
                let named = |n: &Option<Ident>| n.as_ref().map(|n| format!(" {n}")).unwrap_or_default();
                let ine = |b: bool| if b { " IF NOT EXISTS" } else { "" };
                let ie = |b: bool| if b { " IF EXISTS" } else { "" };
                match cmd {
                    SchemaCommand::CreateIndex {
                        name,
                        if_not_exists,
                        target: t,
                    } => write!(
                        f,
                        "CREATE INDEX{}{} FOR ({}:{}) ON ({}.{})",
                        named(name),
                        ine(*if_not_exists),
                        t.var,
                        t.label,
                        t.prop_var,
                        t.key
                    ),
                    SchemaCommand::CreateConstraint {
                        name,
                        if_not_exists,
                        target: t,
                    } => write!(
                        f,
                        "CREATE CONSTRAINT{}{} FOR ({}:{}) REQUIRE {}.{} IS UNIQUE",
                        named(name),
                        ine(*if_not_exists),
                        t.var,
                        t.label,
                        t.prop_var,
                        t.key
                    ),
                    SchemaCommand::DropIndex { name, if_exists } => {
                        write!(f, "DROP INDEX {name}{}", ie(*if_exists))
                    }
                    SchemaCommand::DropConstraint { name, if_exists } => {
                        write!(f, "DROP CONSTRAINT {name}{}", ie(*if_exists))
                    }
                }
            }
            ClauseKind::Foreach { var, list, clauses } => {
                write!(f, "FOREACH ({var} IN {list} |")?;
                for c in clauses {
                    write!(f, " {c}")?;
                }
                f.write_str(")")
            }
            ClauseKind::CallSubquery {
                query,
                in_transactions,
            } => {
                write!(f, "CALL {{ {query} }}")?;
                if let Some(t) = in_transactions {
                    write!(f, " {t}")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for ProcedureCall {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for ns in &self.namespace {
            write_name(f, &ns.name)?;
            f.write_char('.')?;
        }
        write_name(f, &self.name.name)?;
        if let Some(args) = &self.args {
            f.write_char('(')?;
            comma_list(f, args, |f, a| a.fmt(f))?;
            f.write_char(')')?;
        }
        if let Some(y) = &self.yield_ {
            write!(f, " {y}")?;
        }
        Ok(())
    }
}

impl Display for Yield {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("YIELD ")?;
        if self.star {
            return f.write_char('*');
        }
        comma_list(f, &self.items, |f, i| i.fmt(f))?;
        if let Some(w) = &self.where_ {
            write!(f, " WHERE {w}")?;
        }
        Ok(())
    }
}

impl Display for YieldItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.alias {
            // Before `AS` the field is a name, where keywords are fine.
            Some(alias) => {
                write_name(f, &self.field.name)?;
                write!(f, " AS {alias}")
            }
            None => self.field.fmt(f),
        }
    }
}

impl Display for InTransactions {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("IN TRANSACTIONS")?;
        if let Some(rows) = &self.rows {
            write!(f, " OF {rows} ROWS")?;
        }
        Ok(())
    }
}

impl Display for SubqueryBody {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SubqueryBody::Patterns { patterns, where_ } => {
                comma_list(f, patterns, |f, p| p.fmt(f))?;
                if let Some(w) = where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
            SubqueryBody::Query(q) => q.fmt(f),
        }
    }
}

impl Display for Projection {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        if self.star {
            f.write_char('*')?;
            if !self.items.is_empty() {
                f.write_str(", ")?;
            }
        }
        comma_list(f, &self.items, |f, i| i.fmt(f))?;
        if !self.order_by.is_empty() {
            f.write_str(" ORDER BY ")?;
            comma_list(f, &self.order_by, |f, s| s.fmt(f))?;
        }
        if let Some(s) = &self.skip {
            write!(f, " SKIP {s}")?;
        }
        if let Some(l) = &self.limit {
            write!(f, " LIMIT {l}")?;
        }
        if let Some(w) = &self.where_ {
            write!(f, " WHERE {w}")?;
        }
        Ok(())
    }
}

impl Display for ProjItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)?;
        if let Some(a) = &self.alias {
            write!(f, " AS {a}")?;
        }
        Ok(())
    }
}

impl Display for SortItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)?;
        if self.descending {
            f.write_str(" DESC")?;
        }
        Ok(())
    }
}

impl Display for MergeAction {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.on_create {
            "ON CREATE SET "
        } else {
            "ON MATCH SET "
        })?;
        comma_list(f, &self.items, |f, i| i.fmt(f))
    }
}

fn write_labels(f: &mut Formatter<'_>, labels: &[Ident]) -> fmt::Result {
    for l in labels {
        f.write_char(':')?;
        write_name(f, &l.name)?;
    }
    Ok(())
}

/// True when `e` is an atom followed only by property lookups, the shape the
/// grammar allows before the last `.key` of a `SET` or `REMOVE` target.
fn is_property_chain(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Property { base, .. } => is_property_chain(base),
        _ => expr_prec(e) == prec::ATOM,
    }
}

/// Writes the base of a `SET`/`REMOVE` property target.
fn write_target_base(f: &mut Formatter<'_>, base: &Expr) -> fmt::Result {
    if is_property_chain(base) {
        base.fmt(f)
    } else {
        write!(f, "({base})")
    }
}

impl Display for SetItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SetItem::Property { base, key, value, .. } => {
                write_target_base(f, base)?;
                f.write_char('.')?;
                write_name(f, &key.name)?;
                write!(f, " = {value}")
            }
            SetItem::Replace { var, value, .. } => write!(f, "{var} = {value}"),
            SetItem::Merge { var, value, .. } => write!(f, "{var} += {value}"),
            SetItem::Labels { var, labels, .. } => {
                var.fmt(f)?;
                write_labels(f, labels)
            }
        }
    }
}

impl Display for RemoveItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            RemoveItem::Property { base, key, .. } => {
                write_target_base(f, base)?;
                f.write_char('.')?;
                write_name(f, &key.name)
            }
            RemoveItem::Labels { var, labels, .. } => {
                var.fmt(f)?;
                write_labels(f, labels)
            }
        }
    }
}

impl Display for PatternPart {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(v) = &self.var {
            write!(f, "{v} = ")?;
        }
        match self.kind {
            PathKind::Plain => self.element.fmt(f),
            PathKind::Shortest => write!(f, "shortestPath({})", self.element),
            PathKind::AllShortest => write!(f, "allShortestPaths({})", self.element),
        }
    }
}

impl Display for PatternElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.start.fmt(f)?;
        for (rel, node) in &self.chain {
            write!(f, "{rel}{node}")?;
        }
        Ok(())
    }
}

impl Display for NodePattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('(')?;
        if let Some(v) = &self.var {
            v.fmt(f)?;
        }
        write_labels(f, &self.labels)?;
        if let Some(p) = &self.props {
            if self.var.is_some() || !self.labels.is_empty() {
                f.write_char(' ')?;
            }
            p.fmt(f)?;
        }
        f.write_char(')')
    }
}

impl Display for Range {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (None, None) => Ok(()),
            (Some(a), Some(b)) if a == b => write!(f, "{a}"),
            (Some(a), Some(b)) => write!(f, "{a}..{b}"),
            (Some(a), None) => write!(f, "{a}.."),
            (None, Some(b)) => write!(f, "..{b}"),
        }
    }
}

impl Display for RelPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let has_detail = self.var.is_some()
            || !self.types.is_empty()
            || self.length.is_some()
            || self.shortest.is_some()
            || self.props.is_some();
        f.write_str(if self.direction == Direction::Incoming {
            "<-"
        } else {
            "-"
        })?;
        if has_detail {
            f.write_char('[')?;
            if let Some(v) = &self.var {
                v.fmt(f)?;
            }
            for (i, t) in self.types.iter().enumerate() {
                f.write_char(if i == 0 { ':' } else { '|' })?;
                write_name(f, &t.name)?;
            }
            if self.length.is_some() || self.shortest.is_some() {
                f.write_char('*')?;
                match self.shortest {
                    Some(ShortestKind::Shortest) => f.write_str(" SHORTEST")?,
                    Some(ShortestKind::AllShortest) => f.write_str(" ALL SHORTEST")?,
                    None => {}
                }
                if let Some(r) = &self.length {
                    if self.shortest.is_some() && (r.min.is_some() || r.max.is_some()) {
                        f.write_char(' ')?;
                    }
                    r.fmt(f)?;
                }
            }
            if let Some(p) = &self.props {
                if self.var.is_some()
                    || !self.types.is_empty()
                    || self.length.is_some()
                    || self.shortest.is_some()
                {
                    f.write_char(' ')?;
                }
                p.fmt(f)?;
            }
            f.write_char(']')?;
        }
        f.write_str(if self.direction == Direction::Outgoing {
            "->"
        } else {
            "-"
        })
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(true) => f.write_str("true"),
            Literal::Bool(false) => f.write_str("false"),
            Literal::Integer(i) => write!(f, "{i}"),
            // `{:?}` is the shortest text that reads back to the same value
            // and always shows that it is a float (`1.0`, `1e100`).
            Literal::Float(x) => write!(f, "{x:?}"),
            Literal::String(s) => write_string(f, s),
        }
    }
}

/// Binding strength of an expression's top operator, weakest first. The
/// parser uses the same levels (see `parser/expr.rs`).
pub(crate) mod prec {
    pub(crate) const OR: u8 = 1;
    pub(crate) const XOR: u8 = 2;
    pub(crate) const AND: u8 = 3;
    pub(crate) const NOT: u8 = 4;
    pub(crate) const COMPARE: u8 = 5;
    pub(crate) const PREDICATE: u8 = 6;
    pub(crate) const ADD: u8 = 7;
    pub(crate) const MUL: u8 = 8;
    pub(crate) const POW: u8 = 9;
    pub(crate) const UNARY: u8 = 10;
    pub(crate) const POSTFIX: u8 = 11;
    pub(crate) const ATOM: u8 = 12;
}

pub(crate) fn binary_prec(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => prec::OR,
        BinaryOp::Xor => prec::XOR,
        BinaryOp::And => prec::AND,
        BinaryOp::Add | BinaryOp::Sub => prec::ADD,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => prec::MUL,
        BinaryOp::Pow => prec::POW,
    }
}

fn is_negative_number(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(Literal::Integer(i)) => *i < 0,
        ExprKind::Literal(Literal::Float(x)) => x.is_sign_negative(),
        _ => false,
    }
}

fn expr_prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => binary_prec(*op),
        ExprKind::Unary { op: UnaryOp::Not, .. } => prec::NOT,
        ExprKind::Unary { .. } => prec::UNARY,
        ExprKind::Compare { .. } => prec::COMPARE,
        ExprKind::IsNull { .. }
        | ExprKind::In { .. }
        | ExprKind::StringOp { .. }
        | ExprKind::Regex { .. } => prec::PREDICATE,
        // `-5` prints as a sign and a number, so it binds like a unary minus.
        ExprKind::Literal(_) if is_negative_number(e) => prec::UNARY,
        ExprKind::Property { .. }
        | ExprKind::Index { .. }
        | ExprKind::Slice { .. }
        | ExprKind::HasLabels { .. } => prec::POSTFIX,
        _ => prec::ATOM,
    }
}

/// Writes `e`, in parentheses when it binds less tightly than `min`.
fn write_operand(f: &mut Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if expr_prec(e) < min {
        write!(f, "({e})")
    } else {
        e.fmt(f)
    }
}

/// Writes the base of a postfix operator (`.key`, `[i]`, `:Label`). A label
/// test can only end a postfix chain, so it is parenthesised as a base.
fn write_postfix_base(f: &mut Formatter<'_>, e: &Expr) -> fmt::Result {
    if expr_prec(e) < prec::POSTFIX || matches!(e.kind, ExprKind::HasLabels { .. }) {
        write!(f, "({e})")
    } else {
        e.fmt(f)
    }
}

fn write_opt_where(f: &mut Formatter<'_>, w: &Option<Box<Expr>>) -> fmt::Result {
    if let Some(w) = w {
        write!(f, " WHERE {w}")?;
    }
    Ok(())
}

/// True when `text` starts with a name followed by `IN`, which would make a
/// list literal read as a list comprehension.
fn starts_with_name_in(text: &str) -> bool {
    let rest = if let Some(quoted) = text.strip_prefix('`') {
        let mut chars = quoted.char_indices();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            if c == '`' {
                if quoted.get(i + 1..).is_some_and(|s| s.starts_with('`')) {
                    chars.next();
                } else {
                    end = Some(i + 1);
                    break;
                }
            }
        }
        match end {
            Some(e) => quoted.get(e..).unwrap_or(""),
            None => return false,
        }
    } else {
        let len = text
            .char_indices()
            .find(|&(_, c)| !crate::query::syntax::lexer::is_ident_continue(c))
            .map_or(text.len(), |(i, _)| i);
        if len == 0 {
            return false;
        }
        text.get(len..).unwrap_or("")
    };
    let rest = rest.trim_start();
    rest.get(..2).is_some_and(|w| w.eq_ignore_ascii_case("IN"))
        && !rest
            .get(2..)
            .and_then(|s| s.chars().next())
            .is_some_and(crate::query::syntax::lexer::is_ident_continue)
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(l) => l.fmt(f),
            ExprKind::Param(p) => {
                f.write_char('$')?;
                if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() {
                    f.write_str(p)
                } else {
                    write_name(f, p)
                }
            }
            ExprKind::Var(v) => v.fmt(f),
            ExprKind::Property { base, key } => {
                write_postfix_base(f, base)?;
                f.write_char('.')?;
                write_name(f, &key.name)
            }
            ExprKind::Index { base, index } => {
                write_postfix_base(f, base)?;
                write!(f, "[{index}]")
            }
            ExprKind::Slice { base, from, to } => {
                write_postfix_base(f, base)?;
                f.write_char('[')?;
                if let Some(a) = from {
                    a.fmt(f)?;
                }
                f.write_str("..")?;
                if let Some(b) = to {
                    b.fmt(f)?;
                }
                f.write_char(']')
            }
            ExprKind::HasLabels { base, labels } => {
                write_postfix_base(f, base)?;
                write_labels(f, labels)
            }
            ExprKind::FnCall {
                namespace,
                name,
                distinct,
                args,
            } => {
                for ns in namespace {
                    write_name(f, &ns.name)?;
                    f.write_char('.')?;
                }
                write_name(f, &name.name)?;
                f.write_char('(')?;
                if *distinct {
                    f.write_str("DISTINCT ")?;
                }
                comma_list(f, args, |f, a| a.fmt(f))?;
                f.write_char(')')
            }
            ExprKind::CountStar => f.write_str("count(*)"),
            ExprKind::Unary { op, operand } => match op {
                UnaryOp::Not => {
                    f.write_str("NOT ")?;
                    write_operand(f, operand, prec::NOT)
                }
                UnaryOp::Neg | UnaryOp::Plus => {
                    f.write_char(if *op == UnaryOp::Neg { '-' } else { '+' })?;
                    let numeric = matches!(
                        operand.kind,
                        ExprKind::Literal(Literal::Integer(_) | Literal::Float(_))
                    );
                    if numeric && *op == UnaryOp::Neg {
                        // `-5` would read back as the literal -5.
                        write!(f, "({operand})")
                    } else {
                        if matches!(
                            operand.kind,
                            ExprKind::Unary {
                                op: UnaryOp::Neg | UnaryOp::Plus,
                                ..
                            }
                        ) || is_negative_number(operand)
                        {
                            f.write_char(' ')?;
                        }
                        write_operand(f, operand, prec::UNARY)
                    }
                }
            },
            ExprKind::Binary { op, lhs, rhs } => {
                let p = binary_prec(*op);
                write_operand(f, lhs, p)?;
                f.write_str(match op {
                    BinaryOp::Or => " OR ",
                    BinaryOp::Xor => " XOR ",
                    BinaryOp::And => " AND ",
                    BinaryOp::Add => " + ",
                    BinaryOp::Sub => " - ",
                    BinaryOp::Mul => " * ",
                    BinaryOp::Div => " / ",
                    BinaryOp::Mod => " % ",
                    BinaryOp::Pow => " ^ ",
                })?;
                // The right side of `^` is a unary expression in Cypher's grammar.
                let rmin = if *op == BinaryOp::Pow { prec::UNARY } else { p + 1 };
                write_operand(f, rhs, rmin)
            }
            ExprKind::Compare { first, rest } => {
                write_operand(f, first, prec::PREDICATE)?;
                for (op, e) in rest {
                    f.write_str(match op {
                        CmpOp::Eq => " = ",
                        CmpOp::Ne => " <> ",
                        CmpOp::Lt => " < ",
                        CmpOp::Le => " <= ",
                        CmpOp::Gt => " > ",
                        CmpOp::Ge => " >= ",
                    })?;
                    write_operand(f, e, prec::PREDICATE)?;
                }
                Ok(())
            }
            ExprKind::IsNull { expr, negated } => {
                write_operand(f, expr, prec::PREDICATE)?;
                f.write_str(if *negated { " IS NOT NULL" } else { " IS NULL" })
            }
            ExprKind::In { lhs, rhs } => {
                write_operand(f, lhs, prec::PREDICATE)?;
                f.write_str(" IN ")?;
                write_operand(f, rhs, prec::ADD)
            }
            ExprKind::StringOp { op, lhs, rhs } => {
                write_operand(f, lhs, prec::PREDICATE)?;
                f.write_str(match op {
                    StringOp::StartsWith => " STARTS WITH ",
                    StringOp::EndsWith => " ENDS WITH ",
                    StringOp::Contains => " CONTAINS ",
                })?;
                write_operand(f, rhs, prec::ADD)
            }
            ExprKind::Regex { lhs, rhs } => {
                write_operand(f, lhs, prec::PREDICATE)?;
                f.write_str(" =~ ")?;
                write_operand(f, rhs, prec::ADD)
            }
            ExprKind::List(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    let text = item.to_string();
                    if i == 0 && starts_with_name_in(&text) {
                        write!(f, "({text})")?;
                    } else {
                        f.write_str(&text)?;
                    }
                }
                f.write_char(']')
            }
            ExprKind::Map(entries) => {
                f.write_char('{')?;
                comma_list(f, entries, |f, (k, v)| {
                    write_name(f, &k.name)?;
                    write!(f, ": {v}")
                })?;
                f.write_char('}')
            }
            ExprKind::Case {
                operand,
                whens,
                else_,
            } => {
                f.write_str("CASE")?;
                if let Some(o) = operand {
                    write!(f, " {o}")?;
                }
                for (w, t) in whens {
                    write!(f, " WHEN {w} THEN {t}")?;
                }
                if let Some(e) = else_ {
                    write!(f, " ELSE {e}")?;
                }
                f.write_str(" END")
            }
            ExprKind::ListComp {
                var,
                list,
                where_,
                map,
            } => {
                write!(f, "[{var} IN {list}")?;
                write_opt_where(f, where_)?;
                if let Some(m) = map {
                    write!(f, " | {m}")?;
                }
                f.write_char(']')
            }
            ExprKind::PatternComp {
                var,
                pattern,
                where_,
                map,
            } => {
                f.write_char('[')?;
                if let Some(v) = var {
                    write!(f, "{v} = ")?;
                }
                pattern.fmt(f)?;
                write_opt_where(f, where_)?;
                write!(f, " | {map}]")
            }
            ExprKind::Quantifier {
                kind,
                var,
                list,
                where_,
            } => {
                f.write_str(match kind {
                    QuantifierKind::All => "all",
                    QuantifierKind::Any => "any",
                    QuantifierKind::None => "none",
                    QuantifierKind::Single => "single",
                })?;
                write!(f, "({var} IN {list}")?;
                write_opt_where(f, where_)?;
                f.write_char(')')
            }
            ExprKind::Reduce {
                acc,
                init,
                var,
                list,
                expr,
            } => write!(f, "reduce({acc} = {init}, {var} IN {list} | {expr})"),
            ExprKind::Pattern(p) => p.fmt(f),
            ExprKind::MapProjection { var, items } => {
                write!(f, "{var} {{")?;
                comma_list(f, items, |f, item| match item {
                    MapProjItem::Property(k) => {
                        f.write_char('.')?;
                        write_name(f, &k.name)
                    }
                    MapProjItem::Literal(k, v) => {
                        write_name(f, &k.name)?;
                        write!(f, ": {v}")
                    }
                    MapProjItem::Var(v) => v.fmt(f),
                    MapProjItem::AllProps => f.write_str(".*"),
                })?;
                f.write_char('}')
            }
            ExprKind::Subquery { kind, body } => {
                f.write_str(match kind {
                    SubqueryKind::Exists => "EXISTS",
                    SubqueryKind::Count => "COUNT",
                    SubqueryKind::Collect => "COLLECT",
                })?;
                write!(f, " {{ {body} }}")
            }
        }
    }
}
