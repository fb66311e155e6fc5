import type { ProcessorConfig } from '../config';
import { fieldPath, type FieldPath, type IngestDocument } from '../document';
import { runSteps, type ProcessorFactory } from '../engine';
import { ProcessingError, illegalArgument } from '../errors';
import { deepCopy, isMap, javaClassName, type JsonMap } from '../values';
import { constField, constantPath, fieldRef, valueSource, type ValueSource } from './util';

/** `value` (templated, typed by `media_type`) or `copy_from`, never both (set and append). */
function valueOrCopyFrom(cfg: ProcessorConfig): { value?: ValueSource; copyFrom?: FieldPath } {
  const escape = cfg.mediaType();
  const copyFrom = cfg.string('copy_from', null);
  if (cfg.has('value') && copyFrom !== undefined) {
    throw cfg.error('copy_from', '[copy_from] cannot set both `copy_from` and `value` in the same processor');
  }
  return copyFrom === undefined
    ? { value: valueSource(cfg.value('value'), escape) }
    : { copyFrom: fieldPath(copyFrom) };
}

const set: ProcessorFactory = (cfg) => {
  const fieldT = cfg.template('field');
  const field = fieldRef(fieldT);
  const { value, copyFrom } = valueOrCopyFrom(cfg);
  const override = cfg.bool('override', true);
  const ignoreEmpty = cfg.bool('ignore_empty_value', false);
  const written = constantPath(fieldT);
  return {
    ...(written !== undefined ? { writes: [written] } : {}),
    execute(doc) {
      const path = field(doc);
      if (!override && doc.has(path) && doc.get(path) !== null) return;
      let v: unknown;
      if (copyFrom !== undefined) {
        v = deepCopy(doc.get(copyFrom, ignoreEmpty));
        if (ignoreEmpty && (v === undefined || v === null || v === '')) return;
      } else if (value !== undefined) {
        v = value.resolve(doc);
        if (ignoreEmpty && value.templated && (v === null || v === '')) return;
      }
      doc.set(path, v === undefined ? null : v);
    },
  };
};

const rename: ProcessorFactory = (cfg) => {
  const field = fieldRef(cfg.template('field'));
  const target = fieldRef(cfg.template('target_field'));
  const ignoreMissing = cfg.bool('ignore_missing', false);
  const override = cfg.bool('override', false);
  return {
    execute(doc) {
      const path = field(doc);
      if (!doc.has(path)) {
        if (ignoreMissing) return;
        throw illegalArgument(`field [${path.path}] doesn't exist`);
      }
      const to = target(doc);
      if (doc.has(to) && !override) throw illegalArgument(`field [${to.path}] already exists`);
      const value = doc.get(path);
      doc.remove(path);
      try {
        doc.set(to, value);
      } catch (e) {
        doc.set(path, value);
        throw e;
      }
    },
  };
};

const remove: ProcessorFactory = (cfg) => {
  const fieldsRaw = cfg.stringList('field', false);
  const keepRaw = cfg.stringList('keep', false);
  if (fieldsRaw === undefined && keepRaw === undefined)
    throw cfg.error('field', '[field] required property is missing');
  if (fieldsRaw !== undefined && keepRaw !== undefined)
    throw cfg.error('keep', '[keep] cannot be used in combination with [field]');
  const ignoreMissing = cfg.bool('ignore_missing', false);
  const fields = (fieldsRaw ?? []).map((f) => fieldRef(cfg.compile(f, 'field')));
  const keep = (keepRaw ?? []).map((f) => fieldRef(cfg.compile(f, 'field')));
  if (keepRaw !== undefined) {
    return {
      execute(doc) {
        const kept: JsonMap = {};
        const keepDoc = { source: kept };
        for (const k of keep) {
          const p = k(doc);
          if (p.root !== 'ctx' || !doc.has(p)) continue;
          let src: unknown = doc.source;
          let dst: JsonMap = keepDoc.source;
          p.parts.forEach((part, i) => {
            if (!isMap(src)) return;
            const v = src[part];
            if (i === p.parts.length - 1) dst[part] = v;
            else {
              if (!isMap(dst[part])) dst[part] = Array.isArray(v) ? v : {};
              const next = dst[part];
              if (isMap(next)) dst = next;
              src = v;
            }
          });
        }
        doc.source = kept;
      },
    };
  }
  return {
    execute(doc) {
      for (const f of fields) {
        const p = f(doc);
        if (ignoreMissing) {
          if (doc.has(p)) doc.remove(p);
        } else doc.remove(p);
      }
    },
  };
};

const append: ProcessorFactory = (cfg) => {
  const fieldT = cfg.template('field');
  const field = fieldRef(fieldT);
  const { value, copyFrom } = valueOrCopyFrom(cfg);
  const allowDuplicates = cfg.bool('allow_duplicates', true);
  const ignoreEmpty = cfg.bool('ignore_empty_values', false);
  const written = constantPath(fieldT);
  return {
    ...(written !== undefined ? { writes: [written] } : {}),
    execute(doc) {
      const path = field(doc);
      let v = copyFrom !== undefined ? deepCopy(doc.get(copyFrom, ignoreEmpty)) : value?.resolve(doc);
      if (ignoreEmpty) {
        const empty = (x: unknown): boolean => x === null || x === undefined || x === '';
        if (Array.isArray(v)) {
          v = v.filter((x) => !empty(x));
          if ((v as unknown[]).length === 0) return;
        } else if (empty(v)) return;
      }
      doc.append(path, v, allowDuplicates);
    },
  };
};

const drop: ProcessorFactory = () => ({
  execute(doc) {
    doc.dropped = true;
  },
});

const terminate: ProcessorFactory = () => ({
  execute(doc) {
    doc.terminated = true;
  },
});

const fail: ProcessorFactory = (cfg) => {
  const message = cfg.template('message');
  return {
    execute(doc) {
      throw new ProcessingError('fail_processor_exception', message.render(doc));
    },
  };
};

const pipeline: ProcessorFactory = (cfg) => {
  const name = cfg.template('name');
  const ignoreMissing = cfg.bool('ignore_missing_pipeline', false);
  return {
    ...(name.isConstant ? { pipelineRef: name.source } : {}),
    execute(doc, rt) {
      rt.runPipeline(name.render(doc), doc, ignoreMissing);
    },
    verify(doc, rt) {
      rt.verifyPipeline(name.render(doc), doc, ignoreMissing);
    },
  };
};

const foreach: ProcessorFactory = (cfg, ctx) => {
  const field = constField(cfg, 'field');
  const ignoreMissing = cfg.bool('ignore_missing', false);
  const processorRaw = cfg.map('processor');
  const inner = ctx.compileList([processorRaw], 'processor');
  const runInner = (doc: IngestDocument, rt: Parameters<typeof runSteps>[2]): void => {
    runSteps(inner, doc, rt);
  };
  return {
    execute(doc, rt) {
      const value = doc.get(field, ignoreMissing);
      if (value === undefined || value === null) {
        if (ignoreMissing) return;
        throw illegalArgument(`field [${field.path}] is null, cannot loop over its elements.`);
      }
      const ingest = doc.ingest;
      const hadValue = Object.hasOwn(ingest, '_value');
      const prevValue = ingest['_value'];
      const hadKey = Object.hasOwn(ingest, '_key');
      const prevKey = ingest['_key'];
      const restore = (): void => {
        if (hadValue) ingest['_value'] = prevValue;
        else delete ingest['_value'];
        if (hadKey) ingest['_key'] = prevKey;
        else delete ingest['_key'];
      };
      try {
        if (Array.isArray(value)) {
          const out: unknown[] = [];
          for (const element of value) {
            ingest['_value'] = element;
            runInner(doc, rt);
            if (doc.dropped) return;
            out.push(ingest['_value']);
          }
          restore();
          doc.set(field, out);
        } else if (isMap(value)) {
          const out: JsonMap = {};
          for (const [k, element] of Object.entries(value)) {
            ingest['_key'] = k;
            ingest['_value'] = element;
            runInner(doc, rt);
            if (doc.dropped) return;
            const newKey = ingest['_key'];
            if (typeof newKey === 'string' && newKey !== '') out[newKey] = ingest['_value'];
          }
          restore();
          doc.set(field, out);
        } else {
          throw illegalArgument(
            `field [${field.path}] of type [${javaClassName(value)}] cannot be cast to a list or map`,
          );
        }
      } finally {
        restore();
      }
    },
  };
};

const dotExpander: ProcessorFactory = (cfg) => {
  const field = cfg.string('field');
  const pathRaw = cfg.string('path', null);
  const override = cfg.bool('override', false);
  if (
    field !== '*' &&
    (!field.includes('.') || field.startsWith('.') || field.endsWith('.') || field.includes('..'))
  ) {
    throw cfg.error('field', `[field] field does not contain a dot and is not a wildcard`);
  }
  return {
    execute(doc) {
      let container: unknown = doc.source;
      if (pathRaw !== undefined) container = doc.get(pathRaw);
      if (!isMap(container)) return;
      const map = container;
      const keys = field === '*' ? Object.keys(map).filter((k) => k.includes('.')) : [field];
      for (const key of keys) {
        if (!Object.hasOwn(map, key)) continue;
        const value = map[key];
        delete map[key];
        const parts = key.split('.');
        let ctx: JsonMap = map;
        for (let i = 0; i < parts.length - 1; i += 1) {
          const part = parts[i] ?? '';
          const next = ctx[part];
          if (isMap(next)) ctx = next;
          else if (next === undefined) {
            const created: JsonMap = {};
            ctx[part] = created;
            ctx = created;
          } else {
            throw illegalArgument(
              `cannot expend [${key}], because [${parts.slice(0, i + 1).join('.')}] is not an object field, but a value field`,
            );
          }
        }
        const leaf = parts[parts.length - 1] ?? '';
        if (Object.hasOwn(ctx, leaf) && !override) {
          const existing = ctx[leaf];
          ctx[leaf] = Array.isArray(existing) ? [...(existing as unknown[]), value] : [existing, value];
        } else ctx[leaf] = value;
      }
    },
  };
};

export const coreProcessors: Record<string, ProcessorFactory> = {
  set,
  rename,
  remove,
  append,
  drop,
  terminate,
  fail,
  pipeline,
  foreach,
  dot_expander: dotExpander,
};
