import type { ProcessorConfig } from '../config';
import { castError, fieldPath, type FieldPath, type IngestDocument } from '../document';
import { illegalArgument } from '../errors';
import { compileTemplate, type Template, type TemplateEscape } from '../mustache';
import { deepCopy, isMap, javaClassName, javaToString, type JsonMap } from '../values';

/** A field option: a constant path parsed once, or a template rendered per document. */
export type FieldRef = (doc: IngestDocument) => FieldPath;

export function fieldRef(template: Template): FieldRef {
  if (template.isConstant) {
    const p = fieldPath(template.source);
    return () => p;
  }
  return (doc) => fieldPath(template.render(doc));
}

/** The path a field option always names (a constant template), for the executor's write analysis. */
export function constantPath(template: Template): FieldPath | undefined {
  return template.isConstant ? fieldPath(template.source) : undefined;
}

export function constField(cfg: ProcessorConfig, name: string, fallback?: string): FieldPath {
  const s = fallback === undefined ? cfg.string(name) : cfg.string(name, fallback);
  try {
    return fieldPath(s);
  } catch (e) {
    throw cfg.error(name, e instanceof Error ? e.message : String(e));
  }
}

export function optionalField(cfg: ProcessorConfig, name: string): FieldPath | undefined {
  const s = cfg.string(name, null);
  return s === undefined ? undefined : fieldPath(s);
}

/** Elasticsearch ValueSource: maps/lists resolved recursively, strings with `{{` are templates. */
export type ValueSource = { readonly templated: boolean; resolve(doc: IngestDocument): unknown };

export function valueSource(value: unknown, escape: TemplateEscape): ValueSource {
  if (typeof value === 'string') {
    const t = compileTemplate(value, escape);
    if (t.isConstant) return { templated: false, resolve: () => value };
    return { templated: true, resolve: (doc) => t.render(doc) };
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => valueSource(v, escape));
    return { templated: false, resolve: (doc) => items.map((i) => i.resolve(doc)) };
  }
  if (isMap(value)) {
    const entries = Object.entries(value).map(
      ([k, v]) => [compileTemplate(k, escape), valueSource(v, escape)] as const,
    );
    return {
      templated: false,
      resolve: (doc) => {
        const out: JsonMap = {};
        for (const [k, v] of entries) out[k.render(doc)] = v.resolve(doc);
        return out;
      },
    };
  }
  return { templated: false, resolve: () => deepCopy(value) };
}

/** Typed get of a String field (Elasticsearch getFieldValue(path, String.class, ignoreMissing)). */
export function getString(doc: IngestDocument, path: FieldPath, ignoreMissing: boolean): string | undefined {
  const v = doc.get(path, ignoreMissing);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw castError(path.path, v, 'java.lang.String');
  return v;
}

/**
 * The String input of a processor: undefined only when the field is missing or null and
 * `ignore_missing` is set; otherwise a missing/null field fails with `field [f] is null, <what>`.
 */
export function inputString(
  doc: IngestDocument,
  path: FieldPath,
  ignoreMissing: boolean,
  what = 'cannot process it.',
): string | undefined {
  const v = getString(doc, path, ignoreMissing);
  if (v === undefined && !ignoreMissing) throw illegalArgument(`field [${path.path}] is null, ${what}`);
  return v;
}

/**
 * The shape of Elasticsearch's AbstractStringProcessor (lowercase, uppercase, trim, gsub, urldecode,
 * html_strip, ...): String or list of Strings, ignore_missing, target_field.
 */
export function stringProcessor(cfg: ProcessorConfig, fn: (s: string) => string, listAllowed = true) {
  const field = constField(cfg, 'field');
  const ignoreMissing = cfg.bool('ignore_missing', false);
  const target = constField(cfg, 'target_field', field.path);
  return {
    writes: [target],
    execute(doc: IngestDocument): void {
      const v = doc.get(field, ignoreMissing);
      if (v === undefined || v === null) {
        if (ignoreMissing) return;
        throw illegalArgument(`field [${field.path}] is null, cannot process it.`);
      }
      let out: unknown;
      if (listAllowed && Array.isArray(v)) {
        out = v.map((x) => {
          if (typeof x !== 'string') {
            throw illegalArgument(
              `value [${javaToString(x)}] of type [${javaClassName(x)}] in list field [${field.path}] cannot be cast to [java.lang.String]`,
            );
          }
          return fn(x);
        });
      } else if (typeof v === 'string') out = fn(v);
      else throw castError(field.path, v, 'java.lang.String');
      doc.set(target, out);
    },
  };
}

export { javaTrim } from '../text';
