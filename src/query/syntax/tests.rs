#[test]
fn sizes() {
    use super::ast::*;
    eprintln!(
        "Expr {} ExprKind {} Input {} PErr {} PResult<Expr> {}",
        std::mem::size_of::<Expr>(),
        std::mem::size_of::<ExprKind>(),
        std::mem::size_of::<super::parser::Input<'static>>(),
        16,
        std::mem::size_of::<super::parser::PResult<'static, Expr>>()
    );
}
