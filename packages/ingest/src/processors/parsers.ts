import { METADATA_KEYS, fieldPath, type FieldPath, type IngestDocument } from '../document';
import type { ProcessorFactory } from '../engine';
import { ProcessingError, illegalArgument } from '../errors';
import { parseJson } from '../json';
import { javaRegex, javaSplit } from '../regex';
import { isMap, javaToString, type JsonMap } from '../values';
import { constField, fieldRef, inputString } from './util';

// ---------------------------------------------------------------------------------------------
// json

function mergeInto(target: JsonMap, source: JsonMap): void {
  for (const [k, v] of Object.entries(source)) {
    const existing = target[k];
    if (isMap(existing) && isMap(v)) mergeInto(existing, v);
    else target[k] = v;
  }
}

const json: ProcessorFactory = (cfg) => {
  const field = constField(cfg, 'field');
  const targetRaw = cfg.string('target_field', null);
  const addToRoot = cfg.bool('add_to_root', false);
  const strategyRaw = cfg.string('add_to_root_conflict_strategy', null);
  const allowDuplicateKeys = cfg.bool('allow_duplicate_keys', false);
  const strict = cfg.bool('strict_json_parsing', true);
  if (addToRoot && targetRaw !== undefined) {
    throw cfg.error(
      'target_field',
      '[target_field] Cannot set a target field while also setting `add_to_root` to true',
    );
  }
  if (strategyRaw !== undefined && !addToRoot) {
    throw cfg.error(
      'add_to_root_conflict_strategy',
      '[add_to_root_conflict_strategy] Cannot set `add_to_root_conflict_strategy` if `add_to_root` is false',
    );
  }
  if (strategyRaw !== undefined && strategyRaw !== 'replace' && strategyRaw !== 'merge') {
    throw cfg.error(
      'add_to_root_conflict_strategy',
      `[add_to_root_conflict_strategy] conflict strategy [${strategyRaw}] not supported, cannot convert field.`,
    );
  }
  const merge = strategyRaw === 'merge';
  const target = fieldPath(targetRaw ?? field.path);
  return {
    execute(doc) {
      const raw = doc.get(field);
      const text = raw === null || raw === undefined ? 'null' : javaToString(raw);
      let value: unknown;
      try {
        value = parseJson(text, { rejectDuplicateKeys: !allowDuplicateKeys, strict });
      } catch (e) {
        throw illegalArgument(e instanceof Error ? e.message : String(e));
      }
      if (!addToRoot) {
        doc.set(target, value);
        return;
      }
      if (!isMap(value)) throw illegalArgument('cannot add non-map fields to root of document');
      for (const [k, v] of Object.entries(value)) {
        const container = METADATA_KEYS.has(k) ? doc.meta : doc.source;
        const existing = container[k];
        if (merge && isMap(existing) && isMap(v)) mergeInto(existing, v);
        else container[k] = v;
      }
    },
  };
};

// ---------------------------------------------------------------------------------------------
// kv

function trimChars(s: string, chars: string | undefined): string {
  if (chars === undefined || chars === '') return s;
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a] ?? '')) a += 1;
  while (b > a && chars.includes(s[b - 1] ?? '')) b -= 1;
  return s.slice(a, b);
}

function stripBrackets(s: string): string {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '<': '>', '"': '"', "'": "'" };
  let out = s;
  const first = out[0] ?? '';
  if (pairs[first] !== undefined) out = out.slice(1);
  const last = out[out.length - 1] ?? '';
  if (Object.values(pairs).includes(last)) out = out.slice(0, -1);
  return out;
}

const kv: ProcessorFactory = (cfg) => {
  const field = fieldRef(cfg.template('field'));
  const targetT = cfg.optionalTemplate('target_field');
  const fieldSplit = javaRegex(cfg.string('field_split'));
  const valueSplitText = cfg.string('value_split');
  const valueSplit = javaRegex(valueSplitText);
  const include = cfg.stringList('include_keys', false);
  const exclude = cfg.stringList('exclude_keys', false);
  const ignoreMissing = cfg.bool('ignore_missing', false);
  const prefix = cfg.string('prefix', '');
  const trimKey = cfg.string('trim_key', null);
  const trimValue = cfg.string('trim_value', null);
  const strip = cfg.bool('strip_brackets', false);
  return {
    execute(doc) {
      const path = field(doc);
      const v = inputString(doc, path, ignoreMissing, 'cannot extract key-value pairs.');
      if (v === undefined) return;
      const target = targetT?.render(doc);
      for (const pair of javaSplit(v, fieldSplit, false)) {
        const kvPair = javaSplit(pair, valueSplit, true);
        const splitAt = valueSplit.exec(pair);
        if (splitAt === null || kvPair.length < 2) {
          throw illegalArgument(`field [${path.path}] does not contain value_split [${valueSplitText}]`);
        }
        let key = trimChars(pair.slice(0, splitAt.index), trimKey);
        let value = trimChars(pair.slice(splitAt.index + splitAt[0].length), trimValue);
        if (strip) {
          key = stripBrackets(key);
          value = stripBrackets(value);
        }
        if (include !== undefined && !include.includes(key)) continue;
        if (exclude?.includes(key) === true) continue;
        const name = `${prefix}${key}`;
        const p = fieldPath(target === undefined ? name : `${target}.${name}`);
        if (doc.has(p)) doc.append(p, value);
        else doc.set(p, value);
      }
    },
  };
};

// ---------------------------------------------------------------------------------------------
// dissect

interface DissectKey {
  readonly name: string;
  readonly modifier: 'none' | 'append' | 'skip' | 'ref_key' | 'ref_value';
  readonly ordinal: number;
  readonly rightPad: boolean;
}

interface DissectPattern {
  readonly leading: string;
  readonly pairs: readonly { key: DissectKey; delimiter: string }[];
}

function parseDissectKey(raw: string, index: number): DissectKey {
  let s = raw;
  let rightPad = false;
  if (s.endsWith('->')) {
    rightPad = true;
    s = s.slice(0, -2);
  }
  let modifier: DissectKey['modifier'] = 'none';
  const first = s[0];
  if (first === '+') modifier = 'append';
  else if (first === '?') modifier = 'skip';
  else if (first === '*') modifier = 'ref_key';
  else if (first === '&') modifier = 'ref_value';
  if (modifier !== 'none') s = s.slice(1);
  let ordinal = index;
  const slash = /\/(\d+)$/.exec(s);
  if (slash !== null && modifier === 'append') {
    ordinal = Number(slash[1]);
    s = s.slice(0, slash.index);
  }
  if (s === '') modifier = 'skip';
  return { name: s, modifier, ordinal, rightPad };
}

export function parseDissectPattern(pattern: string): DissectPattern {
  const re = /%\{([^}]*?)\}/g;
  const keys: { key: DissectKey; start: number; end: number }[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(pattern)) !== null) {
    keys.push({ key: parseDissectKey(m[1] ?? '', keys.length), start: m.index, end: m.index + m[0].length });
  }
  if (keys.length === 0) throw illegalArgument(`Unable to parse pattern: ${pattern}`);
  // a name used with `+` anywhere appends all its values (the plain first one included)
  const appendNames = new Set(keys.filter((k) => k.key.modifier === 'append').map((k) => k.key.name));
  for (const k of keys) {
    if (k.key.modifier === 'none' && appendNames.has(k.key.name)) k.key = { ...k.key, modifier: 'append' };
  }
  const leading = pattern.slice(0, keys[0]?.start ?? 0);
  const pairs = keys.map((k, i) => ({
    key: k.key,
    delimiter: pattern.slice(k.end, keys[i + 1]?.start ?? pattern.length),
  }));
  if (keys.every((k) => k.key.modifier === 'skip'))
    throw illegalArgument(`Unable to parse pattern: ${pattern}`);
  return { leading, pairs };
}

function dissectMatch(p: DissectPattern, input: string): Map<string, string> | undefined {
  if (!input.startsWith(p.leading)) return undefined;
  let pos = p.leading.length;
  const appends = new Map<string, { ordinal: number; value: string }[]>();
  const refKeys = new Map<string, string>();
  const refValues = new Map<string, string>();
  const out = new Map<string, string>();
  for (let i = 0; i < p.pairs.length; i += 1) {
    const { key, delimiter } = p.pairs[i] ?? { key: undefined, delimiter: '' };
    if (key === undefined) break;
    let value: string;
    if (delimiter === '') {
      if (i === p.pairs.length - 1) {
        value = input.slice(pos);
        pos = input.length;
      } else {
        value = '';
      }
    } else {
      const idx = input.indexOf(delimiter, pos);
      if (idx < 0) return undefined;
      value = input.slice(pos, idx);
      pos = idx + delimiter.length;
      if (key.rightPad) while (input.startsWith(delimiter, pos)) pos += delimiter.length;
    }
    switch (key.modifier) {
      case 'skip':
        break;
      case 'append': {
        const list = appends.get(key.name) ?? [];
        list.push({ ordinal: key.ordinal, value });
        appends.set(key.name, list);
        if (!out.has(key.name)) out.set(key.name, '');
        break;
      }
      case 'ref_key':
        refKeys.set(key.name, value);
        break;
      case 'ref_value':
        refValues.set(key.name, value);
        break;
      default:
        out.set(key.name, value);
    }
  }
  return finishDissect(out, appends, refKeys, refValues);
}

function finishDissect(
  out: Map<string, string>,
  appends: Map<string, { ordinal: number; value: string }[]>,
  refKeys: Map<string, string>,
  refValues: Map<string, string>,
): Map<string, string> {
  for (const [name, list] of appends) {
    out.set(
      name,
      [...list]
        .sort((a, b) => a.ordinal - b.ordinal)
        .map((x) => x.value)
        .join('\u0000'),
    );
  }
  for (const [name, k] of refKeys) {
    const v = refValues.get(name);
    if (v !== undefined) out.set(k, v);
  }
  return out;
}

/** The fields a dissect pattern sets, when its names are fixed (no `*`/`&` reference keys). */
function dissectWrites(pattern: DissectPattern): FieldPath[] | undefined {
  const keys = pattern.pairs.map((p) => p.key);
  if (keys.some((k) => k.modifier === 'ref_key' || k.modifier === 'ref_value')) return undefined;
  try {
    return keys.filter((k) => k.modifier !== 'skip').map((k) => fieldPath(k.name));
  } catch {
    return undefined; // a name that is not a valid path fails at run time, as before
  }
}

const dissect: ProcessorFactory = (cfg) => {
  const field = constField(cfg, 'field');
  const patternText = cfg.string('pattern');
  let pattern: DissectPattern;
  try {
    pattern = parseDissectPattern(patternText);
  } catch (e) {
    throw cfg.error('pattern', e instanceof Error ? e.message : String(e));
  }
  const appendSeparator = cfg.string('append_separator', '');
  const ignoreMissing = cfg.bool('ignore_missing', false);
  const writes = dissectWrites(pattern);
  return {
    ...(writes !== undefined ? { writes } : {}),
    execute(doc: IngestDocument) {
      const input = inputString(doc, field, ignoreMissing);
      if (input === undefined) return;
      const result = dissectMatch(pattern, input);
      if (result === undefined) {
        throw new ProcessingError(
          'dissect_exception',
          `Unable to find match for dissect pattern: ${patternText} against source: ${input}`,
        );
      }
      for (const [k, v] of result)
        doc.set(fieldPath(k), v.includes('\u0000') ? v.split('\u0000').join(appendSeparator) : v);
    },
  };
};

// ---------------------------------------------------------------------------------------------
// csv (Elasticsearch CsvParser: quotes, doubled quotes, optional trim of unquoted whitespace)

function parseCsvLine(line: string, sep: string, quote: string, trim: boolean): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    let start = i;
    if (trim) while (start < n && (line[start] === ' ' || line[start] === '\t')) start += 1;
    if (line[start] === quote) {
      let value = '';
      let j = start + 1;
      for (;;) {
        if (j >= n) return undefined;
        if (line[j] === quote) {
          if (line[j + 1] === quote) {
            value += quote;
            j += 2;
            continue;
          }
          j += 1;
          break;
        }
        value += line[j] ?? '';
        j += 1;
      }
      while (trim && j < n && (line[j] === ' ' || line[j] === '\t')) j += 1;
      if (j < n && line[j] !== sep) return undefined;
      out.push(value);
      if (j >= n) return out;
      i = j + 1;
    } else {
      const end = line.indexOf(sep, start);
      let value = end < 0 ? line.slice(start) : line.slice(start, end);
      if (value.includes(quote)) return undefined;
      if (trim) value = value.replace(/[ \t]+$/, '');
      out.push(value);
      if (end < 0) return out;
      i = end + 1;
    }
  }
}

const csv: ProcessorFactory = (cfg) => {
  const field = constField(cfg, 'field');
  const targets = (cfg.stringList('target_fields') ?? []).map((t) => fieldPath(t));
  if (targets.length === 0)
    throw cfg.error('target_fields', "[target_fields] target fields list can't be empty");
  const sep = cfg.string('separator', ',');
  const quote = cfg.string('quote', '"');
  if (sep.length !== 1)
    throw cfg.error('separator', `[separator] separator has to be single character like , or ;`);
  if (quote.length !== 1) throw cfg.error('quote', `[quote] quote has to be single character like " or '`);
  const trim = cfg.bool('trim', false);
  const ignoreMissing = cfg.bool('ignore_missing', false);
  const emptyValue = cfg.value('empty_value', false);
  return {
    execute(doc) {
      const line = inputString(doc, field, ignoreMissing);
      if (line === undefined) return;
      const values = parseCsvLine(line, sep, quote, trim);
      if (values === undefined) throw illegalArgument(`field [${field.path}] has malformed CSV: [${line}]`);
      targets.forEach((t, i) => {
        const v = values[i];
        if (v === undefined) return;
        if (v === '') {
          if (emptyValue !== undefined) doc.set(t, emptyValue);
          return;
        }
        doc.set(t, v);
      });
    },
  };
};

export const parserProcessors: Record<string, ProcessorFactory> = { json, kv, dissect, csv };
