import { illegalArgument } from './errors';
import { GROK_PATTERNS } from './grok-patterns';
import { toDouble, toFloat, toLong } from './javanum';

export interface GrokCapture {
  readonly field: string;
  readonly type: string | undefined;
  readonly group: string;
}

export interface CompiledGrok {
  readonly regex: RegExp;
  readonly captures: readonly GrokCapture[];
  /** Synthetic group per pattern (for trace_match), in pattern order. */
  readonly patternGroups: readonly string[];
}

/** Expands `%{NAME:field:type}` recursively into one JS regex with synthetic group names. */
export function compileGrok(
  patterns: readonly string[],
  definitions: Readonly<Record<string, string>> = {},
): CompiledGrok {
  const bank = { ...GROK_PATTERNS, ...definitions };
  const captures: GrokCapture[] = [];
  let counter = 0;
  const expand = (pattern: string, stack: readonly string[]): string =>
    pattern
      .replace(/\(\?<([A-Za-z][A-Za-z0-9_.@:\-[\]]*)>/g, (_m, name: string) => {
        const group = `g${(counter += 1)}`;
        const [field = name, type] = name.split(':');
        captures.push({ field, type, group });
        return `(?<${group}>`;
      })
      .replace(
        /%\{(\w+)(?::([^:}]+))?(?::(\w+))?\}/g,
        (_m, name: string, field: string | undefined, type: string | undefined) => {
          const body = bank[name];
          if (body === undefined)
            throw illegalArgument(`Unable to find pattern [${name}] in Grok's pattern dictionary`);
          if (stack.includes(name))
            throw illegalArgument(`circular reference in pattern [${name}][${[...stack, name].join('=>')}]`);
          const inner = expand(body, [...stack, name]);
          if (field === undefined) return `(?:${inner})`;
          const group = `g${(counter += 1)}`;
          captures.push({ field, type, group });
          return `(?<${group}>${inner})`;
        },
      );
  const patternGroups: string[] = [];
  const alternatives = patterns.map((p, i) => {
    const group = `p${i}`;
    patternGroups.push(group);
    return `(?<${group}>${expand(p, [])})`;
  });
  let regex: RegExp;
  try {
    regex = new RegExp(alternatives.join('|'));
  } catch (e) {
    throw illegalArgument(e instanceof Error ? e.message : String(e));
  }
  return { regex, captures, patternGroups };
}

function convert(value: string, type: string | undefined): unknown {
  switch (type) {
    case 'int':
    case 'long': {
      const n = Number.parseInt(value, 10);
      if (!/^[+-]?\d+$/.test(value) || Number.isNaN(n)) throw illegalArgument(`For input string: "${value}"`);
      return type === 'long' ? toLong(n) : n;
    }
    case 'float':
    case 'double': {
      const d = Number(value);
      if (value.trim() === '' || Number.isNaN(d)) throw illegalArgument(`For input string: "${value}"`);
      return type === 'float' ? toFloat(d) : toDouble(d);
    }
    case 'boolean':
      return value.toLowerCase() === 'true';
    default:
      return value;
  }
}

/** Matches; returns field → value (repeated names collect into lists) and the matching pattern index. */
export function grokMatch(
  g: CompiledGrok,
  text: string,
): { fields: Map<string, unknown>; patternIndex: number } | undefined {
  const m = g.regex.exec(text);
  if (m?.groups === undefined) return undefined;
  const groups = m.groups;
  const fields = new Map<string, unknown>();
  for (const c of g.captures) {
    const v = groups[c.group];
    if (v === undefined) continue;
    const value = convert(v, c.type);
    if (fields.has(c.field)) {
      const prev = fields.get(c.field);
      fields.set(c.field, Array.isArray(prev) ? [...(prev as unknown[]), value] : [prev, value]);
    } else fields.set(c.field, value);
  }
  const patternIndex = g.patternGroups.findIndex((p) => groups[p] !== undefined);
  return { fields, patternIndex };
}
