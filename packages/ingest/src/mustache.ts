import { IngestError } from './errors';
import { METADATA_KEYS, type IngestDocument } from './document';
import { isMap, javaToString, toJsonText } from './values';

/** How `{{x}}` (double braces) escapes; `{{{x}}}` never escapes. Elasticsearch's media_type option. */
export type TemplateEscape = 'json' | 'none' | 'url';

export interface Template {
  readonly source: string;
  /** True when the text has no `{{`: a constant, rendered as is. */
  readonly isConstant: boolean;
  /** Renders against the ctx map with `_source` and `_ingest` overlaid (`_ingest` hidden when `ctxOnly`). */
  render(doc: IngestDocument, ctxOnly?: boolean): string;
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'var'; name: readonly string[]; escape: boolean }
  | { kind: 'section'; name: string; body: Node[] };

const MUSTACHE_MEDIA_TYPES: Record<string, TemplateEscape> = {
  'application/json': 'json',
  'text/plain': 'none',
  'application/x-www-form-urlencoded': 'url',
};

export function mediaTypeEscape(mediaType: string): TemplateEscape | undefined {
  return MUSTACHE_MEDIA_TYPES[mediaType];
}

function parse(source: string): Node[] {
  const root: Node[] = [];
  const stack: { name: string; body: Node[] }[] = [];
  let current = root;
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      current.push({ kind: 'text', text: source.slice(i) });
      break;
    }
    if (open > i) current.push({ kind: 'text', text: source.slice(i, open) });
    const triple = source.startsWith('{{{', open);
    const close = source.indexOf(triple ? '}}}' : '}}', open + (triple ? 3 : 2));
    if (close < 0)
      throw new IngestError('INGEST_INVALID_CONFIG', `Improperly closed variable in template [${source}]`);
    const inner = source.slice(open + (triple ? 3 : 2), close).trim();
    i = close + (triple ? 3 : 2);
    if (triple) {
      current.push({ kind: 'var', name: splitName(inner), escape: false });
      continue;
    }
    const sigil = inner[0];
    if (sigil === '!') continue;
    if (sigil === '&') {
      current.push({ kind: 'var', name: splitName(inner.slice(1).trim()), escape: false });
    } else if (sigil === '#') {
      const name = inner.slice(1).trim();
      const body: Node[] = [];
      stack.push({ name, body });
      current.push({ kind: 'section', name, body });
      current = body;
    } else if (sigil === '/') {
      const name = inner.slice(1).trim();
      const top = stack.pop();
      if (top?.name !== name) {
        throw new IngestError(
          'INGEST_INVALID_CONFIG',
          `Mismatched close tag [${name}] in template [${source}]`,
        );
      }
      current = stack.length > 0 ? (stack[stack.length - 1]?.body ?? root) : root;
    } else if (sigil === '^' || sigil === '>' || sigil === '=') {
      throw new IngestError(
        'INGEST_INVALID_CONFIG',
        `unsupported mustache tag [{{${inner}}}] in template [${source}]`,
      );
    } else {
      current.push({ kind: 'var', name: splitName(inner), escape: true });
    }
  }
  if (stack.length > 0)
    throw new IngestError('INGEST_INVALID_CONFIG', `Unclosed section in template [${source}]`);
  return root;
}

function splitName(name: string): readonly string[] {
  return name === '.' ? ['.'] : name.split('.');
}

/** Resolves a mustache name against the document model; missing → undefined. */
export function lookupTemplateValue(doc: IngestDocument, name: readonly string[], ctxOnly: boolean): unknown {
  const [first = '', ...rest] = name;
  let ctx: unknown;
  if (first === '_ingest') {
    if (ctxOnly) return undefined;
    ctx = doc.ingest;
  } else if (first === '_source') ctx = doc.source;
  else if (METADATA_KEYS.has(first)) ctx = doc.meta[first];
  else ctx = Object.hasOwn(doc.source, first) ? doc.source[first] : undefined;
  for (const part of rest) {
    if (Array.isArray(ctx)) {
      if (part === 'size') ctx = ctx.length;
      else if (/^\d+$/.test(part)) ctx = ctx[Number(part)];
      else return undefined;
    } else if (isMap(ctx)) {
      ctx = Object.hasOwn(ctx, part) ? ctx[part] : undefined;
    } else return undefined;
  }
  return ctx;
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function jsonEscape(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what Jackson escapes
    /["\\\u0000-\u001f]/g,
    (c) => JSON_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function escapeWith(escape: TemplateEscape, s: string): string {
  if (escape === 'json') return jsonEscape(s);
  if (escape === 'url') return encodeURIComponent(s).replace(/%20/g, '+');
  return s;
}

export function compileTemplate(source: string, escape: TemplateEscape = 'json'): Template {
  if (!source.includes('{{')) {
    return { source, isConstant: true, render: () => source };
  }
  const nodes = parse(source);
  const renderNodes = (list: readonly Node[], doc: IngestDocument, ctxOnly: boolean): string => {
    let out = '';
    for (const node of list) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'var') {
        const v = lookupTemplateValue(doc, node.name, ctxOnly);
        if (v === undefined || v === null) continue;
        const s = javaToString(v);
        out += node.escape ? escapeWith(escape, s) : s;
      } else {
        const inner = node.body
          .map((b) => (b.kind === 'text' ? b.text : ''))
          .join('')
          .trim();
        const value = lookupTemplateValue(doc, splitName(inner), ctxOnly);
        if (node.name === 'toJson') out += value === undefined ? '' : toJsonText(value);
        else if (node.name === 'join' || node.name.startsWith('join ')) {
          const m = /delimiter='([^']*)'/.exec(node.name);
          const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
          out += list.map((x) => javaToString(x)).join(m?.[1] ?? ',');
        } else if (node.name === 'url') out += encodeURIComponent(renderNodes(node.body, doc, ctxOnly));
        else
          throw new IngestError(
            'INGEST_INVALID_CONFIG',
            `unsupported mustache section [${node.name}] in template [${source}]`,
          );
      }
    }
    return out;
  };
  for (const node of nodes) {
    if (
      node.kind === 'section' &&
      !['toJson', 'join', 'url'].includes(node.name) &&
      !node.name.startsWith('join ')
    ) {
      throw new IngestError(
        'INGEST_INVALID_CONFIG',
        `unsupported mustache section [${node.name}] in template [${source}]`,
      );
    }
  }
  return { source, isConstant: false, render: (doc, ctxOnly = false) => renderNodes(nodes, doc, ctxOnly) };
}
