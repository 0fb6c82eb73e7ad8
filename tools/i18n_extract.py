#!/usr/bin/env python3
"""Moves `Text::new("English", "Indonesian")` pairs of one Rust file into the Fluent catalogue.

Usage: tools/i18n_extract.py FILE AREA PREFIX [--macro crate::t|pusdata_core::t] [--dry-run]

Each call whose two arguments are string literals or `format!` calls becomes
`t!("PREFIX-words-of-the-english", name = &expr, ...)`; the texts are appended to
operator/core/i18n/{en,id}/AREA.ftl with `{ $name }` placeables. Calls it cannot read
(variables, other macros) are listed and left alone. Check every result by hand: the ID and
the argument names come from the English words and the expressions.
"""
import re
import sys
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STOP = {"the", "a", "an", "is", "of", "to", "and", "or", "in", "on", "for", "be", "by", "it",
        "its", "this", "that", "with", "as", "at", "are", "was", "has", "have", "not", "no", "from"}


def skip_ws(s, i):
    while i < len(s) and s[i] in " \t\r\n":
        i += 1
    return i


def parse_rust_string(s, i):
    """s[i] == '"' (or r#"); returns (value, end index after literal)."""
    if s[i] == 'r':
        j = i + 1
        hashes = 0
        while s[j] == '#':
            hashes += 1
            j += 1
        assert s[j] == '"'
        end = s.index('"' + '#' * hashes, j + 1)
        return s[j + 1:end], end + 1 + hashes
    assert s[i] == '"'
    out = []
    j = i + 1
    while s[j] != '"':
        c = s[j]
        if c == '\\':
            n = s[j + 1]
            if n == '\n':
                j += 2
                while s[j] in " \t\r\n":
                    j += 1
                continue
            if n == 'n':
                out.append('\n')
            elif n == 't':
                out.append('\t')
            elif n == '"':
                out.append('"')
            elif n == '\\':
                out.append('\\')
            elif n == "'":
                out.append("'")
            elif n == 'u':
                k = s.index('}', j)
                out.append(chr(int(s[j + 3:k], 16)))
                j = k + 1
                continue
            else:
                raise ValueError("escape " + n)
            j += 2
            continue
        out.append(c)
        j += 1
    return "".join(out), j + 1


def balanced(s, i):
    """s[i] is an opening bracket; returns index after the matching close."""
    depth = 0
    j = i
    while j < len(s):
        c = s[j]
        if c == '"' or (c == 'r' and s[j + 1] in '"#' and not (s[j - 1].isalnum() or s[j - 1] == '_')):
            if c == 'r' and s[j + 1] == '#' and not re.match(r'r#+"', s[j:]):
                j += 1
                continue
            _, j = parse_rust_string(s, j)
            continue
        if c == "'" :
            m = re.match(r"'(\\.|[^\\'])'", s[j:]) or re.match(r"'\\u\{[0-9a-fA-F]+\}'", s[j:])
            if m:
                j += m.end()
                continue
        if c == '/' and s[j + 1] == '/':
            j = s.index('\n', j)
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise ValueError("unbalanced")


def split_top(s):
    """Splits an argument list body at top-level commas."""
    parts, depth, cur, j = [], 0, [], 0
    while j < len(s):
        c = s[j]
        if c == '"' or (c == 'r' and j + 1 < len(s) and s[j + 1] in '"#' and (j == 0 or not (s[j - 1].isalnum() or s[j - 1] == '_')) and re.match(r'r#*"', s[j:])):
            _, k = parse_rust_string(s, j)
            cur.append(s[j:k])
            j = k
            continue
        if c == "'":
            m = re.match(r"'(\\.|[^\\'])'", s[j:])
            if m:
                cur.append(m.group(0))
                j += m.end()
                continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        if c == ',' and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        j += 1
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def parse_text_arg(a):
    """Returns (format string, [format args]) or None."""
    a = a.strip()
    for suffix in ('.to_string()', '.into()', '.to_owned()'):
        if a.endswith(suffix):
            a = a[: -len(suffix)].strip()
    if a.startswith('"') or re.match(r'r#*"', a):
        v, end = parse_rust_string(a, 0)
        if a[end:].strip():
            return None
        return ("literal", v, [])
    m = re.match(r'format!\s*\(', a)
    if m:
        end = balanced(a, m.end() - 1)
        if a[end:].strip():
            return None
        parts = split_top(a[m.end():end - 1])
        if not parts:
            return None
        lit = parts[0]
        if not (lit.startswith('"') or re.match(r'r#*"', lit)):
            return None
        v, _ = parse_rust_string(lit, 0)
        return ("format", v, parts[1:])
    return None


PH = re.compile(r'\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*|\d+)?(?::([^}]*))?\}')


def segments(kind, fmt, args):
    """[(text)|(expr, spec)] from a format string."""
    if kind == "literal":
        return [("t", fmt)]
    named = {}
    positional = []
    for a in args:
        m = re.match(r'([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?!=)(.*)$', a, re.S)
        if m:
            named[m.group(1)] = m.group(2).strip()
        else:
            positional.append(a)
    out, pos, last = [], 0, 0
    for m in PH.finditer(fmt):
        out.append(("t", fmt[last:m.start()]))
        last = m.end()
        tok = m.group(0)
        if tok == '{{':
            out.append(("t", '{'))
            continue
        if tok == '}}':
            out.append(("t", '}'))
            continue
        key, spec = m.group(1), m.group(2) or ""
        if key is None:
            expr = positional[pos]
            pos += 1
        elif key.isdigit():
            expr = positional[int(key)]
        elif key in named:
            expr = named[key]
            out.append(("p", expr, spec, key))
            continue
        else:
            expr = key
        out.append(("p", expr, spec, None))
    out.append(("t", fmt[last:]))
    return [s for s in out if not (s[0] == "t" and s[1] == "")]


def name_for(expr, hint=None):
    if hint:
        return hint.replace('_', '-') if False else hint
    e = expr.strip().lstrip('&*').strip()
    e = re.sub(r'\.(clone|to_string|display|as_str|as_deref|unwrap_or_default|to_owned|as_ref|into)\(\)', '', e)
    e = re.sub(r'\.unwrap_or(_else)?\(.*\)$', '', e)
    if e.endswith('.len()'):
        base = e[:-6].split('.')[-1].split('::')[-1]
        return (base.rstrip('s') + "_count") if base else "count"
    m = re.findall(r'[A-Za-z_][A-Za-z0-9_]*', e)
    if not m:
        return "value"
    n = m[-1]
    if n in ("get", "name", "0", "as_secs", "join") and len(m) >= 2 and n == "join":
        n = m[-3] if len(m) >= 3 else m[0]
    return n


def norm(expr):
    return re.sub(r'\s+', '', expr)


def ftl_escape_text(t):
    return re.sub(r'[{}]', lambda m: '{"%s"}' % m.group(0), t)


def fix_placeholders(t):
    # Undo escaping of our own placeables (marked with \x00..\x01).
    return t


def ftl_pattern(segs, names):
    parts = []
    for s in segs:
        if s[0] == "t":
            parts.append(("t", s[1]))
        else:
            expr, spec = s[1], s[2]
            n = names[norm(expr) + "|" + spec]
            m = re.match(r'^\.(\d+)$', spec)
            if m:
                d = m.group(1)
                parts.append(("p", "{ NUMBER($%s, minimumFractionDigits: %s, maximumFractionDigits: %s) }" % (n, d, d)))
            else:
                parts.append(("p", "{ $%s }" % n))
    # Render: text escaped, placeables as is.
    text = ""
    for k, v in parts:
        text += ftl_escape_text(v) if k == "t" else v
    return text


def ftl_value(text):
    """A Fluent message value from a pattern string (placeables already in place)."""
    lines = text.split('\n')

    def protect(line, first):
        # Leading/trailing spaces and line-initial special characters need string literals.
        m = re.match(r'^( +)', line)
        lead = ""
        if m and first:
            lead = '{"%s"}' % m.group(1)
            line = line[m.end():]
        m2 = re.search(r'( +)$', line)
        trail = ""
        if m2:
            trail = '{"%s"}' % m2.group(1)
            line = line[:m2.start()]
        if not first or True:
            if line[:1] in ('[', '*', '.'):
                line = '{"%s"}' % line[0] + line[1:]
        return lead + line + trail

    if len(lines) == 1:
        return " " + protect(lines[0], True)
    out = ""
    for i, l in enumerate(lines):
        if l == "":
            out += "\n"
            continue
        # Keep relative indentation: 4 spaces of block indent plus the line's own.
        m = re.match(r'^( *)', l)
        own = m.group(1)
        body = l[len(own):]
        body = protect(body, False)
        if i == 0 and own:
            body = '{"%s"}' % own + body
            own = ""
        out += "\n    " + ('{"%s"}' % own if own else "") + body
    return out


def slug(en_segs, names):
    words = []
    for s in en_segs:
        if s[0] == "t":
            words += re.findall(r'[A-Za-z][A-Za-z0-9]*', s[1].lower())
    words = [w for w in words if w not in STOP]
    return "-".join(words[:4]) or "message"


def existing_ids():
    ids = {}
    for lang in ("en",):
        d = os.path.join(ROOT, "operator/core/i18n", lang)
        for f in os.listdir(d):
            for line in open(os.path.join(d, f)):
                m = re.match(r'^([a-z][a-z0-9-]*)\s*=(.*)$', line)
                if m:
                    ids[m.group(1)] = m.group(2).strip()
    return ids


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    dry = '--dry-run' in sys.argv
    mac = 'crate::t'
    for a in sys.argv[1:]:
        if a.startswith('--macro='):
            mac = a.split('=', 1)[1]
    path, area, prefix = args[0], args[1], args[2]
    src = open(path).read()
    cut = len(src)
    m = re.search(r'\n#\[cfg\(test\)\]\s*\nmod tests \{', src)
    if m:
        cut = m.start()
    ids = existing_ids()
    used_here = {}
    en_out, id_out, manual = [], [], []
    out = []
    pos = 0
    for m in re.finditer(r'Text::new\(', src[:cut]):
        if m.start() < pos:
            continue
        open_i = m.end() - 1
        try:
            close = balanced(src, open_i)
        except ValueError:
            continue
        body = src[open_i + 1:close - 1]
        parts = split_top(body)
        line = src.count('\n', 0, m.start()) + 1
        if len(parts) != 2:
            manual.append((line, "not two arguments"))
            continue
        try:
            en, idt = parse_text_arg(parts[0]), parse_text_arg(parts[1])
        except Exception as e:  # noqa
            manual.append((line, "unreadable: %s" % e))
            continue
        if not en or not idt:
            manual.append((line, "not literals: " + body.strip()[:80].replace('\n', ' ')))
            continue
        try:
            es, is_ = segments(*en), segments(*idt)
        except Exception as e:  # noqa
            manual.append((line, "format: %s" % e))
            continue
        # One name per (expression, spec), shared by both languages.
        names, taken = {}, {}
        for s in es + is_:
            if s[0] != "p":
                continue
            k = norm(s[1]) + "|" + s[2]
            if k in names:
                continue
            n = name_for(s[1], s[3]).replace('_', '-')
            base, i = n, 2
            while n in taken and taken[n] != norm(s[1]):
                n = "%s%d" % (base, i)
                i += 1
            taken[n] = norm(s[1])
            names[k] = n
        ek = {norm(s[1]) for s in es if s[0] == "p"}
        ik = {norm(s[1]) for s in is_ if s[0] == "p"}
        if ek != ik:
            manual.append((line, "languages use different arguments"))
            continue
        en_v = ftl_value(ftl_pattern(es, names))
        id_v = ftl_value(ftl_pattern(is_, names))
        mid = prefix + "-" + slug(es, names)
        base, i = mid, 2
        while (mid in ids and ids[mid] != en_v.strip()) or (mid in used_here and used_here[mid] != (en_v, id_v)):
            mid = "%s-%d" % (base, i)
            i += 1
        new_entry = mid not in used_here and mid not in ids
        used_here[mid] = (en_v, id_v)
        if new_entry:
            en_out.append("%s =%s" % (mid, en_v))
            id_out.append("%s =%s" % (mid, id_v))
        # Arguments: (name, expr, spec) once each.
        call_args, seen = [], set()
        for s in es:
            if s[0] != "p":
                continue
            k = norm(s[1]) + "|" + s[2]
            if k in seen:
                continue
            seen.add(k)
            expr, spec = s[1].strip(), s[2]
            if spec and not re.match(r'^\.(\d+)$', spec):
                val = 'format!("{:%s}", %s)' % (spec, expr)
            elif expr.startswith('&') or expr.startswith('"') or expr.startswith('format!'):
                val = expr
            else:
                val = "&" + expr
            call_args.append("%s = %s" % (names[k].replace('-', '_'), val))
        call = '%s!("%s"%s)' % (mac, mid, "".join(", " + a for a in call_args))
        out.append((m.start(), close, call))
        pos = close
    new = src
    for start, end, call in reversed(out):
        new = new[:start] + call + new[end:]
    # Fluent variable names: keep underscores (valid in Fluent identifiers).
    fix = lambda s: re.sub(r"\$([A-Za-z0-9-]+)", lambda m: "$" + m.group(1).replace('-', '_'), s)
    en_out = [fix(e) for e in en_out]
    id_out = [fix(e) for e in id_out]
    if dry:
        print("\n".join(en_out))
        print("----")
        print("\n".join(id_out))
    else:
        open(path, 'w').write(new)
        for lang, entries in (("en", en_out), ("id", id_out)):
            if entries:
                f = os.path.join(ROOT, "operator/core/i18n", lang, area + ".ftl")
                with open(f, 'a') as fh:
                    fh.write("\n## %s\n" % os.path.relpath(path, ROOT))
                    fh.write("\n".join(entries) + "\n")
    print("replaced %d, manual %d" % (len(out), len(manual)), file=sys.stderr)
    for l, why in manual:
        print("  %s:%d: %s" % (path, l, why), file=sys.stderr)


if __name__ == "__main__":
    main()
