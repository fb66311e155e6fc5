import { illegalArgument } from './errors';

/**
 * Java regex → JS RegExp for the simple patterns pipelines use (literals, classes, quantifiers,
 * groups, named groups, `(?i)`, `\A`, `\z`). Constructs JS cannot express throw at compile time.
 */
export function javaRegex(pattern: string, extraFlags = ''): RegExp {
  let source = pattern;
  let flags = extraFlags;
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline !== null) {
    for (const f of inline[1] ?? '') {
      if (f === 'x') throw illegalArgument(`regex flag (?x) is not supported: ${pattern}`);
      if (!flags.includes(f)) flags += f;
    }
    source = source.slice(inline[0].length);
  }
  if (/\(\?>|[*+?}]\+|\\[GZ]|\(\?[a-z]*-/.test(source)) {
    throw illegalArgument(`unsupported Java regex construct in [${pattern}]`);
  }
  source = source.replace(/\\A/g, '^').replace(/\\z/g, '$');
  if (/\\p\{/.test(source) && !flags.includes('u')) flags += 'u';
  try {
    return new RegExp(source, flags);
  } catch (e) {
    throw illegalArgument(`invalid regex [${pattern}]: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Java `String.split(regex, limit)` with limit 0 (trailing empties dropped) or -1 (kept). */
export function javaSplit(s: string, re: RegExp, preserveTrailing: boolean): string[] {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  const out: string[] = [];
  let index = 0;
  let m: RegExpExecArray | null;
  while ((m = g.exec(s)) !== null) {
    const start = m.index;
    const end = start + m[0].length;
    if (m[0].length === 0) g.lastIndex += 1;
    if (end === 0 && start === 0) continue;
    if (m[0].length === 0 && start >= s.length) break;
    out.push(s.slice(index, start));
    index = end;
  }
  if (index === 0 && out.length === 0) return [s];
  out.push(s.slice(index));
  if (!preserveTrailing) {
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
  }
  return out;
}

type ReplacementPart = string | number | { name: string };

/** Java `Matcher.replaceAll` replacement syntax (`$1`, `${name}`, `\$`) compiled to a JS callback. */
export function javaReplacement(
  replacement: string,
  groupCount: number,
): (match: string, ...rest: unknown[]) => string {
  const parts: ReplacementPart[] = [];
  let lit = '';
  for (let i = 0; i < replacement.length; i += 1) {
    const c = replacement[i] ?? '';
    if (c === '\\') {
      i += 1;
      if (i >= replacement.length) throw illegalArgument('character to be escaped is missing');
      lit += replacement[i] ?? '';
    } else if (c === '$') {
      i += 1;
      if (i >= replacement.length) throw illegalArgument('Illegal group reference: group index is missing');
      if (replacement[i] === '{') {
        const close = replacement.indexOf('}', i);
        if (close < 0) throw illegalArgument("named capturing group is missing trailing '}'");
        parts.push(lit, { name: replacement.slice(i + 1, close) });
        lit = '';
        i = close;
      } else {
        let digits = replacement[i] ?? '';
        if (!/\d/.test(digits)) throw illegalArgument('Illegal group reference');
        while (
          i + 1 < replacement.length &&
          /\d/.test(replacement[i + 1] ?? '') &&
          Number(digits + (replacement[i + 1] ?? '')) <= groupCount
        ) {
          i += 1;
          digits += replacement[i] ?? '';
        }
        if (Number(digits) > groupCount) throw illegalArgument(`No group ${digits}`);
        parts.push(lit, Number(digits));
        lit = '';
      }
    } else lit += c;
  }
  parts.push(lit);
  return (match: string, ...rest: unknown[]) => {
    const groups = rest.find((r) => typeof r === 'object' && r !== null) as
      Record<string, string | undefined> | undefined;
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else if (typeof p === 'number') out += p === 0 ? match : ((rest[p - 1] as string | undefined) ?? '');
      else {
        if (groups === undefined || !(p.name in groups))
          throw illegalArgument(`No group with name {${p.name}}`);
        out += groups[p.name] ?? '';
      }
    }
    return out;
  };
}

/** Number of capture groups of a JS regex. */
export function groupCount(re: RegExp): number {
  return (new RegExp(`${re.source}|`, re.flags.replace('g', '')).exec('')?.length ?? 1) - 1;
}
