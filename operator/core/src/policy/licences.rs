//! SPDX licence expressions, checked against a compact list of common identifiers shipped as
//! data (`data/spdx.txt`). Only simple expressions are accepted — ids joined by `AND`/`OR`,
//! optional parentheses, `WITH` a known exception — because a reviewer must be able to read
//! them; anything else needs a licence-proof reference (HOST-LEGAL).

const IDS: &str = include_str!("../../data/spdx.txt");

/// Licence exceptions that may follow `WITH`.
const EXCEPTIONS: &[&str] = &[
    "Classpath-exception-2.0",
    "GCC-exception-3.1",
    "LLVM-exception",
    "OpenJDK-assembly-exception-1.0",
    "Autoconf-exception-3.0",
    "Bison-exception-2.2",
    "Font-exception-2.0",
];

/// Whether `id` is a known SPDX licence id (case-insensitive, as SPDX matching is). A `+`
/// suffix ("or later") is accepted on a known id.
pub fn is_known_id(id: &str) -> bool {
    let id = id.strip_suffix('+').unwrap_or(id);
    IDS.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|known| known.eq_ignore_ascii_case(id))
}

/// Checks an expression; `Err` names the first part that is not accepted.
pub fn check_expression(expr: &str) -> Result<(), String> {
    let spaced = expr.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    if tokens.is_empty() {
        return Err(String::new());
    }
    let mut depth = 0i32;
    // true when the next token must be an operand (an id or an opening parenthesis).
    let mut want_operand = true;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        if want_operand {
            if t == "(" {
                depth += 1;
            } else if t == ")" || is_operator(t) {
                return Err(t.to_string());
            } else {
                if !is_known_id(t) {
                    return Err(t.to_string());
                }
                if tokens
                    .get(i + 1)
                    .is_some_and(|n| n.eq_ignore_ascii_case("WITH"))
                {
                    let exc = tokens.get(i + 2).copied().unwrap_or_default();
                    if !EXCEPTIONS.iter().any(|e| e.eq_ignore_ascii_case(exc)) {
                        return Err(format!("WITH {exc}"));
                    }
                    i += 2;
                }
                want_operand = false;
            }
        } else if t == ")" {
            depth -= 1;
            if depth < 0 {
                return Err(t.to_string());
            }
        } else if t.eq_ignore_ascii_case("AND") || t.eq_ignore_ascii_case("OR") {
            want_operand = true;
        } else {
            return Err(t.to_string());
        }
        i += 1;
    }
    if want_operand || depth != 0 {
        return Err(expr.trim().to_string());
    }
    Ok(())
}

fn is_operator(t: &str) -> bool {
    ["AND", "OR", "WITH"]
        .iter()
        .any(|o| o.eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_expressions_are_accepted() {
        for ok in [
            "MIT",
            "apache-2.0",
            "GPL-2.0-only",
            "MIT OR Apache-2.0",
            "(MIT OR Apache-2.0) AND BSD-3-Clause",
            "GPL-2.0-only WITH Classpath-exception-2.0",
            "PostgreSQL",
            "MPL-1.1+",
        ] {
            assert_eq!(check_expression(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn unknown_and_malformed_expressions_are_refused() {
        for (bad, part) in [
            ("", ""),
            ("Proprietary", "Proprietary"),
            ("LicenseRef-Acme", "LicenseRef-Acme"),
            ("MIT OR", "MIT OR"),
            ("MIT AND AND BSD-2-Clause", "AND"),
            ("(MIT", "(MIT"),
            ("MIT)", ")"),
            ("MIT Apache-2.0", "Apache-2.0"),
            ("MIT WITH Nope", "WITH Nope"),
        ] {
            assert_eq!(check_expression(bad), Err(part.to_string()), "{bad}");
        }
    }
}
